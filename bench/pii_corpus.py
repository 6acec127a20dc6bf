# ruff: noqa: E501
"""A labelled, international PII evaluation set: short texts of the kinds people write.

Chat messages, letters with headers and signatures, résumé heads, forms, log lines and
clinical snippets, filled with values from Faker (many locales) and with hand-written
casual sentences. Every PII value's span is known. The set was written from the issue's
description of what real documents contain, before docledger's recognizers were changed
to match it, and is kept apart from them:

* names come from Faker's per-locale lists; docledger's first-name gazetteer comes from a
  different source (the ``gender-guesser`` package's nam_dict), so name recall here is
  not a lookup of the same list;
* two splits with disjoint templates and disjoint locales: ``dev`` (tune on it) and
  ``heldout`` (report only; never look at its misses to change the recognizers).

``generate(split, n, seed)`` returns ``[(text, [(type, start, end), ...]), ...]`` with types
PERSON, ADDRESS, PHONE_NUMBER, CREDIT_CARD, IP_ADDRESS, EMAIL_ADDRESS, US_SSN,
DATE_OF_BIRTH, MEDICAL_RECORD_NUMBER, IBAN_CODE. About one text in six carries no PII
(distractors: capitalised non-names, look-alike numbers).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

Label = tuple[str, int, int]
Sample = tuple[str, list[Label]]

DEV_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "sv_SE", "nl_NL", "pl_PL", "pt_BR", "en_AU"]
HELDOUT_LOCALES = [
    "fi_FI",
    "da_DK",
    "no_NO",
    "cs_CZ",
    "hu_HU",
    "ro_RO",
    "en_IE",
    "pt_PT",
    "de_AT",
    "es_MX",
    "en_NZ",
    "en_CA",
]
_REGION = {"en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES", "it_IT": "IT", "sv_SE": "SE",
           "nl_NL": "NL", "pl_PL": "PL", "pt_BR": "BR", "en_AU": "AU", "fi_FI": "FI", "da_DK": "DK", "no_NO": "NO",
           "cs_CZ": "CZ", "hu_HU": "HU", "ro_RO": "RO", "en_IE": "IE", "pt_PT": "PT", "de_AT": "AT", "es_MX": "MX",
           "en_NZ": "NZ", "en_CA": "CA"}  # fmt: skip
_MONTHS = "January February March April May June July August September October November December".split()


class Ctx:
    """Faker for one locale plus a seeded RNG; each slot generator draws from it."""

    def __init__(self, locale: str, rng: random.Random) -> None:
        from faker import Faker

        self.locale = locale
        self.rng = rng
        self.fake = Faker(locale)
        self.fake.seed_instance(rng.randrange(2**31))
        self.us = Faker("en_US")
        self.us.seed_instance(rng.randrange(2**31))

    # --- values -------------------------------------------------------------------
    def first(self) -> str:
        return str(self.fake.first_name())

    def last(self) -> str:
        return str(self.fake.last_name())

    def full(self) -> str:
        return f"{self.first()} {self.last()}"

    def address(self) -> str:
        a = str(self.fake.address())
        return a if self.rng.random() < 0.5 else a.replace("\n", ", ")

    def address_multiline(self) -> str:
        a = str(self.fake.address())
        if self.rng.random() < 0.5 and hasattr(self.fake, "current_country"):
            try:
                a += "\n" + str(self.fake.current_country())
            except (AttributeError, ValueError):
                pass
        return a

    def street(self) -> str:
        return str(self.fake.street_address())

    def military(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return f"{self.us.military_apo()}\nAPO {self.rng.choice(['AE', 'AP', 'AA'])} {self.rng.randint(9000, 96999):05d}"
        if r < 0.7:
            return f"{self.us.military_dpo()}, DPO {self.rng.choice(['AE', 'AP'])} {self.rng.randint(9000, 96999):05d}"
        return f"{self.us.military_ship()} {self.us.last_name()}\nFPO {self.rng.choice(['AP', 'AE'])} {self.rng.randint(9000, 96999):05d}"

    def corner(self) -> str:
        s1 = f"{self.us.street_name()}"
        s2 = f"{self.us.last_name()} {self.rng.choice(['Road', 'Avenue', 'Street', 'Lane', 'Boulevard'])}"
        return f"{s1} and {s2}"

    def phone(self) -> str:
        import phonenumbers

        region = _REGION.get(self.locale, "US")
        for _ in range(8):
            raw = str(self.fake.phone_number())
            try:
                num = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(num):
                fmt = self.rng.choice(
                    [phonenumbers.PhoneNumberFormat.INTERNATIONAL] * 3
                    + [phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.NATIONAL]
                )
                return str(phonenumbers.format_number(num, fmt))
        ex = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        nat = str(ex.national_number)
        nat = nat[:-4] + f"{self.rng.randint(0, 9999):04d}"
        num = phonenumbers.parse(f"+{ex.country_code}{nat}")
        return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL))

    def card(self) -> str:
        n = str(self.us.credit_card_number(card_type=self.rng.choice(["visa16", "mastercard", "amex", "discover"])))
        if self.rng.random() < 0.5:
            n = " ".join(n[i : i + 4] for i in range(0, len(n), 4)) if len(n) == 16 else n
        return n

    def card_bad_checksum(self) -> str:
        n = self.card()
        last = int(n[-1])
        return n[:-1] + str((last + self.rng.randint(1, 9)) % 10)

    def iban(self) -> str:
        v = str(self.fake.iban())
        r = self.rng.random()
        if r < 0.35:
            v = v.lower()
        elif r < 0.7:
            v = " ".join(v[i : i + 4] for i in range(0, len(v), 4))
        return v

    def ip(self) -> str:
        return str(self.fake.ipv4()) if self.rng.random() < 0.8 else str(self.fake.ipv6())

    def email(self) -> str:
        return str(self.fake.email())

    def ssn(self) -> str:
        v = str(self.us.ssn())
        return v if self.rng.random() < 0.7 else v.replace("-", self.rng.choice(["", " "]))

    def dob(self) -> str:
        d = self.fake.date_of_birth(minimum_age=1, maximum_age=95)
        return self.rng.choice([
            d.strftime("%d/%m/%Y"), d.strftime("%m/%d/%Y"), d.isoformat(), f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
            f"{d.day} {_MONTHS[d.month - 1]} {d.year}", d.strftime("%d.%m.%Y"), f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}",
        ])  # fmt: skip

    def mrn(self) -> str:
        r = self.rng
        return r.choice([f"{r.randint(10**6, 10**8)}", f"MRN{r.randint(10**5, 10**7)}", f"{r.randint(100, 999)}-{r.randint(100, 999)}-{r.randint(100, 999)}",
                         f"H{r.randint(10**6, 10**7)}", f"{r.randint(10, 99)}-{r.randint(10000, 99999)}"])  # fmt: skip


SLOTS: dict[str, tuple[str, Callable[[Ctx], str]]] = {
    "first": ("PERSON", Ctx.first), "first2": ("PERSON", Ctx.first), "last": ("PERSON", Ctx.last),
    "full": ("PERSON", Ctx.full), "full2": ("PERSON", Ctx.full), "addr": ("ADDRESS", Ctx.address),
    "addrml": ("ADDRESS", Ctx.address_multiline), "street": ("ADDRESS", Ctx.street), "mil": ("ADDRESS", Ctx.military),
    "corner": ("ADDRESS", Ctx.corner), "phone": ("PHONE_NUMBER", Ctx.phone), "card": ("CREDIT_CARD", Ctx.card),
    "badcard": ("CREDIT_CARD", Ctx.card_bad_checksum), "iban": ("IBAN_CODE", Ctx.iban), "ip": ("IP_ADDRESS", Ctx.ip),
    "email": ("EMAIL_ADDRESS", Ctx.email), "ssn": ("US_SSN", Ctx.ssn), "dob": ("DATE_OF_BIRTH", Ctx.dob),
    "mrn": ("MEDICAL_RECORD_NUMBER", Ctx.mrn),
}  # fmt: skip

# Templates alternate between the splits (even index: dev, odd: heldout), so each kind of
# text has phrasings on both sides that the other side never shows.
TEMPLATES: list[str] = [
    # lone first names in casual text
    "Why is {first} always late?",
    "Call me tonight, {first}!",
    "My name is {first} and I need help with my account.",
    "hey {first}, did you get the keys?",
    "Can you ask {first} to send the invoice?",
    "{first} said the meeting moved to Thursday.",
    "Thanks {first}, see you tomorrow :)",
    "I told {first} and {first2} about the party.",
    "lol {first} you're the best",
    "Is {first} coming to dinner or not?",
    "Tell {first} I said happy birthday!",
    "Sorry {first}, I can't make it today.",
    "Ask {first} whether the parcel arrived.",
    "Morning {first}! Coffee at 10?",
    "We met {first} at the station yesterday.",
    "Good luck on the exam, {first}!",
    # full names, headers, signatures
    "Dear {full},\n\nThank you for your letter of last week. We will reply shortly.\n\nKind regards,\n{full2}",
    "From: {full} <{email}>\nTo: support\nSubject: refund\n\nPlease refund my last order.",
    "Best wishes,\n{full}\n{phone}",
    "Hi team, {full} will join us on Monday as the new analyst.",
    "{full}\n{addrml}\n{phone} | {email}\n\nPROFILE\nExperienced accountant with ten years in audit.",
    "Curriculum vitae\nName: {full}\nDate of birth: {dob}\nAddress: {addr}\nEmail: {email}",
    "Cheers,\n{first}",
    "Regards, {full}",
    "Meeting notes: {full} and {full2} agreed to review the budget.",
    "Dear Mr. {last}, your appointment is confirmed.",
    "Signed: {full}",
    "Attendees: {full}, {full2}",
    # addresses
    "Please send the documents to {addr}.",
    "Ship to:\n{full}\n{addrml}",
    "I live at {street}, it's the blue house.",
    "New address: {addr}",
    "Mail it to {mil}",
    "{full}\n{mil}",
    "Meet me at the corner of {corner} at noon.",
    "The accident happened at the corner of {corner}.",
    "Our office moved to {addr} last month.",
    "Deliver to {street} between 9 and 5.",
    "Return address:\n{addrml}",
    "my flat is {street}, ring twice",
    # phones
    "Call me on {phone} after 6.",
    "You can reach {first} at {phone}.",
    "Tel: {phone}",
    "whatsapp me {phone}",
    "Mobile {phone}, office {phone}",
    "If urgent ring {phone} or email {email}.",
    # cards
    "My card number is {card}, expiry 09/27.",
    "Please charge card {badcard} for the deposit.",
    "Card: {card} CVV on the back",
    "the credit card {badcard} was declined twice",
    "Visa ending... actually here is the full card number {card}",
    "Use my debit card {card} for the rent.",
    # IBAN
    "Please transfer the money to {iban}.",
    "IBAN: {iban}",
    "my iban is {iban} thanks",
    "Refund to account {iban} please.",
    # IP addresses
    "2024-03-02 10:22:13 WARN login failed for user from {ip} port 51234",
    "Open http://{ip}:8080/admin to configure the router.",
    "[{ip}] GET /index.html 200",
    "The server at {ip} is down again.",
    "sshd[2211]: Accepted publickey for root from {ip}",
    "curl -v https://{ip}/api/v1/status",
    # e-mail
    "Write to {email} for details.",
    "contact: {email}",
    "My email is {email}, send it there.",
    "cc {email} on the reply",
    # SSN
    "SSN {ssn}",
    "My social security number is {ssn}.",
    "Employee SSN: {ssn}, start date next Monday.",
    "social sec # {ssn}",
    # DOB
    "Date of birth: {dob}",
    "I was born on {dob} in a small town.",
    "DOB {dob}",
    "Patient born {dob}, presented with cough.",
    # MRN
    "MRN: {mrn}",
    "Medical record number {mrn} was updated.",
    "Patient {full}, MRN {mrn}, DOB {dob}, seen today.",
    "Chart # {mrn} - follow up in two weeks.",
    # mixed forms
    "Name: {full}\nPhone: {phone}\nEmail: {email}",
    "Applicant: {full}\nSSN: {ssn}\nAddress: {addr}",
    "Hi, it's {first}. My new number is {phone} and my address is {addr}.",
    "Customer {full} ({email}) paid with card {card}.",
]

DISTRACTORS: list[str] = [
    "Salary Deposit received on the 15th.",
    "Patient reports no chest pain today.",
    "The quarterly report is due on Friday, March 3.",
    "Routing Transit Number and Account Number are printed on the cheque.",
    "Invoice 482913 totals $1,284.50 including VAT.",
    "Version 10.2.3 fixed the login bug.",
    "Take 500 mg twice daily for 10 days.",
    "The Board approved the Annual Budget at the General Meeting.",
    "Order #20931 ships Tuesday from Warehouse B.",
    "Blood pressure 128/82, pulse 72, temperature 36.8.",
    "Room 214 is booked for the Finance Committee.",
    "Please see Section 4.2 of the Terms and Conditions.",
    "Happy New Year from everyone at Customer Service!",
    "Account Summary: Opening Balance, Deposits, Withdrawals, Closing Balance.",
    "Monday Tuesday Wednesday are busy; Thursday is free.",
    "The Emergency Department was busy over the Easter weekend.",
]

_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, ctx: Ctx) -> Sample:
    text, labels, pos = "", [], 0
    for m in _SLOT.finditer(template):
        text += template[pos : m.start()]
        kind, gen = SLOTS[m.group(1)]
        value = gen(ctx)
        labels.append((kind, len(text), len(text) + len(value)))
        text += value
        pos = m.end()
    text += template[pos:]
    return text, labels


def split_templates(split: str) -> list[str]:
    i = 0 if split == "dev" else 1
    return TEMPLATES[i::2]


def generate(split: str, n: int = 400, seed: int = 7) -> list[Sample]:
    if split not in ("dev", "heldout"):
        raise ValueError("split is dev or heldout")
    rng = random.Random(f"{split}-{seed}")
    locales = DEV_LOCALES if split == "dev" else HELDOUT_LOCALES
    templates = split_templates(split)
    distractors = DISTRACTORS[0 if split == "dev" else 1 :: 2]
    ctxs: dict[str, Ctx] = {}
    out: list[Sample] = []
    for i in range(n):
        if i % 6 == 5:
            out.append((rng.choice(distractors), []))
            continue
        loc = rng.choice(locales)
        if loc not in ctxs:
            ctxs[loc] = Ctx(loc, rng)
        out.append(fill(rng.choice(templates), ctxs[loc]))
    return out


def describe(samples: list[Sample]) -> dict[str, Any]:
    from collections import Counter

    return dict(Counter(k for _, labels in samples for k, _, _ in labels))


if __name__ == "__main__":
    import sys

    for text, labels in generate(sys.argv[1] if len(sys.argv) > 1 else "dev", 30):
        print(repr(text), [(k, text[s:e]) for k, s, e in labels])
