// docledger UI: drag-and-drop upload with XHR progress and live status. No framework, no build.
"use strict";
const TERMINAL = ["SUCCEEDED", "PARTIAL", "FAILED", "NEEDS_REVIEW"];

// Document page: while the document is still being processed, reload once it finishes.
(function () {
  const badge = document.getElementById("doc-status");
  if (!badge || TERMINAL.indexOf(badge.textContent.trim()) >= 0) return;
  const id = location.pathname.split("/").pop();
  const check = () => fetch("/ui/documents/" + id + "/status.json", { credentials: "same-origin" })
    .then((res) => res.json())
    .then((s) => { if (TERMINAL.indexOf(s.status) >= 0) location.reload(); else setTimeout(check, 1500); })
    .catch(() => setTimeout(check, 3000));
  setTimeout(check, 1500);
})();

// Documents page: uploads.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const list = document.getElementById("uploads");
  const csrf = form.querySelector("input[name=csrf]").value;

  function row(name) {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = name;
    const state = document.createElement("span");
    state.className = "badge";
    state.textContent = "uploading";
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + name);
    li.append(label, state, bar);
    list.append(li);
    return { li, label, state, bar };
  }

  function setState(r, text) {
    r.state.textContent = text;
    r.state.className = "badge status-" + text.toLowerCase();
  }

  function poll(r, doc) {
    fetch("/ui/documents/" + doc.document_id + "/status.json", { credentials: "same-origin" })
      .then((res) => res.json())
      .then((s) => {
        setState(r, s.status);
        if (TERMINAL.indexOf(s.status) < 0) setTimeout(() => poll(r, doc), 700);
        else document.getElementById("uploads-done").hidden = false;
      })
      .catch(() => setTimeout(() => poll(r, doc), 2000));
  }

  function send(file) {
    const r = row(file.name);
    const data = new FormData();
    ["owner", "tenant", "classification"].forEach((k) => {
      const el = form.elements[k];
      if (el && el.value) data.append(k, el.value);
    });
    data.append("csrf", csrf);
    data.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/ui/upload");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) r.bar.value = Math.round((100 * e.loaded) / e.total); };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { /* not JSON */ }
      if (xhr.status === 202) {
        r.bar.value = 100;
        const doc = body.documents[0];
        const a = document.createElement("a");
        a.href = doc.ui_url;
        a.textContent = file.name + (doc.duplicate_of ? " (already registered)" : "");
        r.label.replaceChildren(a);
        setState(r, doc.status);
        poll(r, doc);
      } else {
        setState(r, "FAILED");
        r.state.textContent = "refused";
        r.label.textContent = file.name + ": " + (body.detail || xhr.statusText) + (body.hint ? " " + body.hint : "");
      }
    };
    xhr.onerror = () => { setState(r, "FAILED"); r.state.textContent = "network error"; };
    xhr.send(data);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    Array.from(input.files).forEach(send);
    form.reset();
  });
  ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.remove("over"); }));
  zone.addEventListener("drop", (e) => Array.from(e.dataTransfer.files).forEach(send));
})();
