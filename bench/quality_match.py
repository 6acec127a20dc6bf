"""Sentence-matching quality and latency on MTSamples clinical notes (damaged restatements).

A *record* is ~100 sentences from 5 different notes (a window of up to 20 consecutive
sentences of each, joined as one text and split again by docledger's splitter, as the product
sees it). For several sentences of 6+ words in each record, a damaged restatement is made:

1. clinical terms are paraphrased into lay words with :data:`LAY_TERMS` below
   ("hypertension" -> "high blood pressure", "myocardial infarction" -> "heart attack"), a
   table written for this benchmark, separately from the matcher's synonym file
   (``docledger/nlp/data/clinical_synonyms.tsv``); how many of its pairs the matcher's file
   happens to cover is printed, because those are the paraphrases the lexical side can undo;
2. the sentence is cut into clauses (commas, semicolons, "and", "but", "with", ...) and the
   clauses are shuffled;
3. ~50 % of the words are dropped at random (at least 3 are kept).

Then docledger.nlp.match ranks the record's sentences. A hit is the source sentence at rank 1
/ in the top 5. Printed side by side on the same restatements, in the same run:

  * docledger     - what ``match_sentences`` returns (the hybrid ranking in use)
  * no synonyms   - the same hybrid ranking without the synonym file (the figure that owes
                    nothing to knowledge shared between the two tables)
  * dense only    - MiniLM cosine distance alone
  * lexical only  - docledger's BM25 side alone (stems + synonyms)
  * word overlap  - reference: share of the restatement's words found in the sentence

Notes are split once, by a hash of their note_id, into a ``dev`` half (used to tune the
fusion weights and the lexical side) and a ``held-out`` half that is only reported.

Usage: python bench/quality_match.py [--split held-out|dev|both] [--records 60] [--seed 11]
Targets (issue 10): rank-1 >= 98 %, top-5 >= 99.5 %, above word overlap in the same run.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from docledger.nlp import match as match_mod
from docledger.nlp.embeddings import get_embedder
from docledger.nlp.match import match_sentences
from docledger.nlp.sentences import Sentence, split_sentences

# Medical term -> lay wording, as a patient or a relative would restate it. Written for this
# benchmark only; keys are matched case-insensitively on whole words, longest first.
LAY_TERMS = {
    "hypertension": "high blood pressure", "hypertensive": "with high blood pressure",
    "hypotension": "low blood pressure", "myocardial infarction": "heart attack",
    "diabetes mellitus": "sugar disease", "diabetes": "sugar problems", "diabetic": "sugar",
    "hyperlipidemia": "high cholesterol", "dyslipidemia": "bad cholesterol",
    "hypercholesterolemia": "high cholesterol", "cerebrovascular accident": "stroke",
    "congestive heart failure": "weak heart", "heart failure": "weak heart",
    "atrial fibrillation": "irregular heartbeat", "arrhythmia": "irregular heartbeat",
    "tachycardia": "fast heart rate", "bradycardia": "slow heart rate",
    "dyspnea": "shortness of breath", "shortness of breath": "trouble breathing",
    "edema": "swelling", "erythema": "redness", "erythematous": "red", "pruritus": "itching",
    "pruritic": "itchy", "emesis": "throwing up", "vomiting": "throwing up", "nausea": "feeling sick",
    "diarrhea": "loose stools", "constipation": "trouble passing stool", "syncope": "fainting",
    "vertigo": "spinning dizziness", "cephalgia": "headache", "headaches": "head pain",
    "pyrexia": "fever", "febrile": "feverish", "afebrile": "without fever", "fatigue": "tiredness",
    "malaise": "feeling unwell", "analgesic": "painkiller", "analgesics": "painkillers",
    "anesthesia": "being put to sleep", "general anesthesia": "being put under",
    "sutures": "stitches", "suture": "stitch", "incision": "cut", "laceration": "cut",
    "abrasion": "scrape", "contusion": "bruise", "ecchymosis": "bruising", "hematoma": "blood collection",
    "fracture": "broken bone", "fractures": "broken bones", "fractured": "broken",
    "abdomen": "belly", "abdominal": "belly", "thoracic": "chest", "thorax": "chest",
    "cardiac": "heart", "pulmonary": "lung", "renal": "kidney", "hepatic": "liver",
    "gastric": "stomach", "cutaneous": "skin", "dermal": "skin", "ocular": "eye", "otic": "ear",
    "nasal": "nose", "oral": "mouth", "cranial": "skull", "cervical": "neck", "lumbar": "lower back",
    "femur": "thigh bone", "tibia": "shin bone", "clavicle": "collarbone", "patella": "kneecap",
    "sternum": "breastbone", "scapula": "shoulder blade", "vertebra": "backbone",
    "nephrolithiasis": "kidney stones", "cholelithiasis": "gallstones", "cholecystectomy": "gallbladder removal",
    "appendectomy": "appendix removal", "tonsillectomy": "tonsil removal", "hysterectomy": "womb removal",
    "mastectomy": "breast removal", "arthroplasty": "joint replacement", "laparoscopic": "keyhole",
    "pneumonia": "chest infection", "bronchitis": "chest cold", "pharyngitis": "sore throat",
    "otitis media": "ear infection", "rhinitis": "runny nose", "sinusitis": "sinus infection",
    "urinary tract infection": "bladder infection", "cystitis": "bladder infection",
    "gastroesophageal reflux disease": "acid reflux", "reflux": "heartburn",
    "osteoarthritis": "wear and tear arthritis", "rheumatoid arthritis": "joint disease",
    "osteoporosis": "thin bones", "obesity": "being overweight", "obese": "overweight",
    "neoplasm": "tumor", "malignant": "cancerous", "benign": "not cancerous", "carcinoma": "cancer",
    "metastatic": "spreading", "lesion": "spot", "lesions": "spots", "mass": "lump",
    "anemia": "low blood count", "hemorrhage": "bleeding", "hematuria": "blood in the urine",
    "hematochezia": "blood in the stool", "epistaxis": "nosebleed", "hemoptysis": "coughing blood",
    "dysphagia": "trouble swallowing", "dysuria": "painful urination", "urination": "peeing",
    "insomnia": "trouble sleeping", "depression": "low mood", "anxiety": "nerves",
    "seizure": "fit", "seizures": "fits", "convulsions": "fits", "paresthesia": "pins and needles",
    "numbness": "loss of feeling", "cerebral": "brain", "intracranial": "inside the skull",
    "physician": "doctor", "patient": "person", "medication": "medicine", "medications": "medicines",
    "administered": "given", "prescribed": "given", "discontinued": "stopped", "initiated": "started",
    "bilateral": "on both sides", "bilaterally": "on both sides", "unilateral": "one-sided",
    "anterior": "front", "posterior": "back", "superior": "upper", "inferior": "lower",
    "lateral": "outer", "medial": "inner", "proximal": "near", "distal": "far",
    "acute": "sudden", "chronic": "long-standing", "intermittent": "on and off",
    "ambulatory": "walking", "ambulating": "walking", "ambulate": "walk",
    "supine": "lying on the back", "prone": "lying face down", "auscultation": "listening",
    "palpation": "feeling", "tender": "sore", "tenderness": "soreness", "inflammation": "swelling",
    "infection": "bug", "antibiotics": "germ medicine", "intravenous": "through a drip",
    "subcutaneous": "under the skin", "postoperative": "after surgery", "postoperatively": "after surgery",
    "preoperative": "before surgery", "intraoperative": "during surgery", "surgery": "operation",
    "procedure": "operation", "excision": "removal", "excised": "removed", "resection": "removal",
    "biopsy": "tissue sample", "catheter": "tube", "intubated": "put on a breathing tube",
    "extubated": "taken off the breathing tube", "ventilator": "breathing machine",
    "electrocardiogram": "heart tracing", "echocardiogram": "heart ultrasound",
    "radiograph": "x-ray", "radiographs": "x-rays", "magnetic resonance imaging": "MRI scan",
    "computed tomography": "CT scan", "ultrasound": "sound scan", "discharged": "sent home",
    "admitted": "brought in", "emergency department": "ER", "denies": "says no to",
    "complains of": "talks about", "presents with": "comes in with", "history of": "has had",
    "unremarkable": "normal", "within normal limits": "normal", "negative": "clear",
    "noncontributory": "not relevant", "tolerated": "handled", "hypothyroidism": "underactive thyroid",
    "hyperthyroidism": "overactive thyroid", "chronic obstructive pulmonary disease": "lung disease",
    "asthma": "wheezy chest", "wheezing": "whistling breath", "coronary artery disease": "heart disease",
    "angina": "chest tightness", "stenosis": "narrowing", "occlusion": "blockage", "thrombosis": "clot",
    "embolism": "clot", "pulmonary embolism": "clot in the lung", "deep venous thrombosis": "leg clot",
    "varicose": "swollen", "cellulitis": "skin infection", "abscess": "pus pocket", "neuropathy": "nerve damage",
    "migraine": "bad headache", "dementia": "memory loss", "glaucoma": "eye pressure",
    "cataract": "cloudy lens", "conjunctivitis": "pink eye", "dermatitis": "skin rash", "rash": "spots",
    "urticaria": "hives", "alopecia": "hair loss", "pregnancy": "expecting", "gravida": "pregnancies",
    "menstrual": "period", "menses": "periods", "postpartum": "after giving birth",
    "pediatric": "child", "geriatric": "elderly", "neonate": "newborn", "infant": "baby",
}  # fmt: skip

_CLAUSE = re.compile(r",|;|:| and | but | with | which | without | after | because ")
_HEADING = re.compile(r"^[A-Z][A-Z0-9 /&,()\-]+:\s*")
_LAY_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(LAY_TERMS, key=len, reverse=True)) + r")\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an the of to in on at for by with and or is was were are be been has have had".split())


def corpus_dir() -> Path | None:
    env = os.environ.get("DOCLEDGER_CORPUS")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    return path if (path / "mtsamples" / "dev.csv").is_file() else None


def split_of(note_id: str) -> str:
    """'dev' or 'held-out', fixed by the note id (independent of any seed)."""
    return "dev" if hashlib.sha256(note_id.encode()).digest()[0] % 2 == 0 else "held-out"


def paraphrase(sentence: str) -> tuple[str, int]:
    """Clinical terms -> lay words; returns the text and how many terms were replaced."""
    count = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return LAY_TERMS[m.group(1).lower()]

    return _LAY_RE.sub(sub, sentence), count


def restate(sentence: str, rng: random.Random, drop: float = 0.5) -> tuple[str, int]:
    """The damaged restatement of ``sentence`` and the number of paraphrased terms."""
    body = _HEADING.sub("", sentence)
    body, swapped = paraphrase(body)
    clauses = [c.strip(" ,.;:") for c in _CLAUSE.split(body) if c.strip(" ,.;:")]
    rng.shuffle(clauses)
    words = " ".join(clauses).split()
    keep = [w for w in words if rng.random() >= drop]
    if len(keep) < 3:
        keep = rng.sample(words, min(3, len(words)))
    return " ".join(keep), swapped


def word_overlap(query: str, text: str) -> float:
    """The reference: share of the restatement's words (stop words aside) found in the sentence."""
    q = {w for w in _WORD.findall(query.lower()) if w not in _STOP}
    if not q:
        return 0.0
    return len(q & set(_WORD.findall(text.lower()))) / len(q)


def rank_of(scores: np.ndarray, source: int) -> int:
    """1-based rank of ``source`` under ascending ``scores`` (ties broken by document order)."""
    order = np.argsort(scores, kind="stable")
    return int(np.where(order == source)[0][0]) + 1


@dataclass
class Case:
    record: list[Sentence]
    vectors: np.ndarray
    source: int
    query: str
    swapped: int


def records(rows: list[dict[str, str]], split: str, n_records: int, per_record: int, seed: int) -> list[Case]:
    """``n_records`` records of 5 notes of ``split`` with ``per_record`` restatements each."""
    rng = random.Random(f"{seed}/{split}")
    notes = [r for r in rows if split_of(r["note_id"]) == split and len(r["transcription"]) > 400]
    rng.shuffle(notes)
    emb = get_embedder()
    cases: list[Case] = []
    it = iter(notes)
    for _ in range(n_records):
        parts: list[str] = []
        while len(parts) < 5:
            row = next(it, None)
            if row is None:
                return cases
            sents = split_sentences(row["transcription"])
            if len(sents) < 8:
                continue
            start = rng.randrange(0, max(1, len(sents) - 20))
            window = sents[start : start + 20]
            parts.append(row["transcription"][window[0].start : window[-1].end])
        record = split_sentences("\n\n".join(parts))
        vectors = emb.encode([s.text for s in record])
        texts = [s.text for s in record]
        pool = [i for i, s in enumerate(record) if len(s.text.split()) >= 6 and texts.count(s.text) == 1]
        for src in rng.sample(pool, min(per_record, len(pool))):
            query, swapped = restate(record[src].text, rng)
            cases.append(Case(record, vectors, src, query, swapped))
    return cases


def evaluate(cases: list[Case], label: str) -> dict[str, list[int]]:
    emb = get_embedder()
    ranks: dict[str, list[int]] = {
        "docledger": [], "no synonyms": [], "dense only": [], "lexical only": [], "word overlap": []
    }  # fmt: skip
    misses: list[tuple[Case, int]] = []
    for c in cases:
        got = match_sentences(c.query, c.record, c.vectors, top_k=len(c.record))
        pos = {(m.start, m.end): m.rank for m in got}
        ranks["docledger"].append(pos[(c.record[c.source].start, c.record[c.source].end)])
        sim = c.vectors @ emb.encode([c.query])[0]
        ranks["dense only"].append(rank_of(1.0 - sim, c.source))
        texts = [s.text for s in c.record]
        ranks["no synonyms"].append(rank_of(-match_mod.fused_scores(c.query, texts, sim, synonyms=False), c.source))
        lex = match_mod.lexical_scores(c.query, [s.text for s in c.record])
        ranks["lexical only"].append(rank_of(-lex, c.source))
        ov = np.array([word_overlap(c.query, s.text) for s in c.record])
        ranks["word overlap"].append(rank_of(1.0 - ov, c.source))
        if ranks["docledger"][-1] > 1:
            misses.append((c, ranks["docledger"][-1]))
    n_sent = statistics.fmean(len(c.record) for c in cases)
    swapped = sum(c.swapped > 0 for c in cases)
    print(
        f"\n[{label}] {len(cases)} restatements, records of {n_sent:.0f} sentences on average; "
        f"{swapped} ({swapped / len(cases):.0%}) with at least one paraphrased clinical term"
    )
    print(f"{'ranking':<16}{'rank-1':>9}{'top-5':>9}{'MRR':>8}{'rank-1 (paraphrased)':>23}")
    for name, rs in ranks.items():
        r1 = sum(r == 1 for r in rs) / len(rs)
        t5 = sum(r <= 5 for r in rs) / len(rs)
        mrr = statistics.fmean(1 / r for r in rs)
        para = [r for r, c in zip(rs, cases, strict=True) if c.swapped]
        p1 = sum(r == 1 for r in para) / max(1, len(para))
        print(f"{name:<16}{r1:>9.1%}{t5:>9.1%}{mrr:>8.3f}{p1:>23.1%}")
    for c, r in misses[:4]:
        print(f"  miss (rank {r}): {c.query!r}\n      source: {c.record[c.source].text[:150]!r}")
    return ranks


def map_coverage() -> None:
    """How many LAY_TERMS pairs the matcher's synonym file links (the ones the lexical side can undo)."""
    from docledger.nlp.lexical import get_thesaurus

    th = get_thesaurus()
    linked = sum(th.linked(medical, lay) for medical, lay in LAY_TERMS.items())
    print(
        f"benchmark lay-term pairs linked by the matcher's synonym file: {linked}/{len(LAY_TERMS)} "
        f"(the file holds {th.size} terms in {th.groups} groups, written separately)"
    )


def latency(rows: list[dict[str, str]], seed: int) -> None:
    rng = random.Random(seed)
    texts: list[str] = []
    words = 0
    for row in rows:
        if words >= 2500:
            break
        texts.append(row["transcription"])
        words += len(row["transcription"].split())
    sents = split_sentences("\n\n".join(texts))
    vecs = get_embedder().encode([s.text for s in sents])
    pool = [s for s in sents if len(s.text.split()) >= 6]
    queries = [restate(rng.choice(pool).text, rng)[0] for _ in range(40)]
    match_sentences(queries[0], sents, vecs)  # warm-up
    times = []
    for q in queries:
        t = time.perf_counter()
        match_sentences(q, sents, vecs, top_k=5)
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    for q in queries:
        get_embedder()._encode_batch([q])  # not through the cache: the restatements were just encoded
    enc = (time.perf_counter() - t) * 1000 / len(queries)
    print(
        f"\nlatency: document of {words} words, {len(sents)} sentences, cached vectors: match p50 "
        f"{statistics.median(times):.1f} ms, p95 {sorted(times)[int(0.95 * len(times)) - 1]:.1f} ms; "
        f"encoding the restatement alone (reference) {enc:.1f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "held-out", "both"], default="held-out")
    ap.add_argument("--records", type=int, default=60)
    ap.add_argument("--per-record", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--no-latency", action="store_true")
    args = ap.parse_args()
    corpus = corpus_dir()
    if corpus is None:
        print("corpus not found (set DOCLEDGER_CORPUS); nothing to measure")
        return 0
    with open(corpus / "mtsamples" / "dev.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    map_coverage()
    splits = ["dev", "held-out"] if args.split == "both" else [args.split]
    for split in splits:
        t0 = time.perf_counter()
        cases = records(rows, split, args.records, args.per_record, args.seed)
        print(f"built {split} cases in {time.perf_counter() - t0:.1f} s (seed {args.seed})")
        evaluate(cases, split)
    if not args.no_latency:
        latency(rows, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
