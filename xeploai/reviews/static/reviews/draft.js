// The self-review's drafts survive a dropped line. Every change is kept in this browser
// (localStorage) until the server has confirmed it; sending is retried when the line comes
// back and on the next visit. A draft records the version of the server's copy it was read
// from, and the server refuses it if a newer copy was saved since (in another tab, on another
// device, or by the cell's secretary): the page then shows both copies and lets the user
// choose. The page never says "saved" unless the server said so.
(function () {
  "use strict";

  const form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  const texts = JSON.parse(document.getElementById("draft-texts").textContent);
  const line = document.getElementById("draft-state");
  const editable = form.dataset.editable === "true";
  const prefix = form.dataset.draftKey + ":";
  // Tabs open on this form answer a roll call, so that a new one knows which drafts were
  // left by tabs that are gone.
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(prefix) : null;
  const BEAT = 2000; // a tab with a draft touches it this often
  const ORPHAN = 7000; // untouched this long, and silent at the roll call: its tab is gone
  const EXPIRY = 30 * 24 * 3600 * 1000; // a draft nobody came back to is dropped after this
  const TIMEOUT = 30000; // a request unanswered this long counts as a dropped line
  const memory = new Map(); // this tab's draft, where the browser keeps no storage
  let tab = tabId();
  let key = prefix + tab;
  let base = Number(form.elements.version.value);
  const initial = fields(true); // the server's copy, as the page was given it
  let timer = null;
  let retryIn = 0;
  let running = null;
  let again = false;
  let dirty = false; // changed since the server last confirmed this tab's copy
  let stale = false; // the form's CSRF token may be out of date (the user signed in again)

  function tabId(fresh) {
    // One id per tab, kept across reloads of the tab (sessionStorage), so that two tabs on
    // the same form never overwrite each other's draft.
    let id = fresh ? null : sessionStorage.getItem("xeploai:tab");
    if (!id) {
      id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      sessionStorage.setItem("xeploai:tab", id);
    }
    return id;
  }

  async function liveTabs() {
    const alive = new Set();
    if (!channel) return alive;
    const listen = (event) => alive.add(event.data);
    channel.addEventListener("message", listen);
    channel.postMessage("?");
    await new Promise((resolve) => setTimeout(resolve, 300));
    channel.removeEventListener("message", listen);
    alive.delete("?");
    return alive;
  }

  function say(state, time) {
    if (!line) return;
    line.dataset.state = state;
    line.textContent = (texts[state] || "").replace("{time}", time || "");
  }

  function fields(given) {
    // The form's values: as they are now, or as the server wrote them into the page (given),
    // which differ when the user typed before this script arrived over a slow line.
    const data = {};
    for (const el of form.elements) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version") continue;
      if (el.type === "submit" || el.type === "button") continue;
      const values = (data[el.name] = data[el.name] || []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (given ? el.defaultChecked : el.checked) values.push(el.value);
      } else if (el.tagName === "SELECT") {
        const options = [...el.options];
        const chosen = given ? options.filter((o) => o.defaultSelected) : [...el.selectedOptions];
        if (!chosen.length && given && !el.multiple && options.length) chosen.push(options[0]);
        for (const o of chosen) values.push(o.value);
      } else {
        values.push(given ? el.defaultValue : el.value);
      }
    }
    return data;
  }

  function fill(data) {
    for (const el of form.elements) {
      if (!(el.name in data)) continue;
      const values = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.includes(el.value);
      else if (el.multiple) for (const o of el.options) o.selected = values.includes(o.value);
      else el.value = values[0] || "";
    }
  }

  function same(a, b) {
    const names = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const name of names) {
      if ((a[name] || []).join("\u0000") !== (b[name] || []).join("\u0000")) return false;
    }
    return true;
  }

  function read(k) {
    try {
      const stored = localStorage.getItem(k);
      if (stored !== null) return JSON.parse(stored);
    } catch (e) {
      // No storage in this browser: this tab's draft is kept in memory only.
    }
    return memory.get(k) || null;
  }

  function write(draft) {
    draft.beat = Date.now();
    memory.set(key, draft);
    try {
      localStorage.setItem(key, JSON.stringify(draft));
    } catch (e) {
      // Storage full or disabled: the text stays in the page, and is sent as usual.
    }
  }

  function keep() {
    // A draft goes on counting from the version it was first read at until the server
    // takes it: a copy restored from an earlier visit is not "new" because it is typed on.
    const draft = read(key);
    const from = draft ? draft.base : base;
    write({ base: from, rev: ((draft && draft.rev) || 0) + 1, fields: fields() });
  }

  function forget(k) {
    memory.delete(k || key);
    try {
      localStorage.removeItem(k || key);
    } catch (e) {
      // nothing stored
    }
  }

  function orphans(alive) {
    // The newest draft of this form left by a tab that is gone (a closed tab, a browser
    // that crashed), and whether a silent tab's draft may count as left a little later.
    const found = [];
    let waiting = false;
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (!k || !k.startsWith(prefix) || k === key) continue;
      const draft = read(k);
      if (draft && Date.now() - draft.beat > EXPIRY) {
        forget(k);
        continue;
      }
      // Gone: it does not answer the roll call, and it closed (its draft marked so) or has
      // not touched its draft for a while (a tab the phone froze may answer late).
      if (!draft || (channel && alive.has(k.slice(prefix.length)))) continue;
      if (draft.closed || Date.now() - draft.beat > ORPHAN) found.push([k, draft]);
      else waiting = true;
    }
    found.sort((a, b) => b[1].beat - a[1].beat);
    return [found[0], waiting];
  }

  function changed() {
    dirty = true;
    keep();
    say("unsaved");
    clearTimeout(timer);
    timer = setTimeout(send, 1500);
  }

  function later() {
    clearTimeout(timer);
    retryIn = Math.min(retryIn ? retryIn * 2 : 5000, 60000);
    timer = setTimeout(send, retryIn);
  }

  // One request at a time: a change made while one is under way is sent after it, with the
  // version that request got back, so a page never conflicts with its own saves.
  function send() {
    if (running) {
      again = true;
      return running;
    }
    running = (async function () {
      let outcome;
      do {
        again = false;
        outcome = await post();
      } while (again && outcome === "saved");
      return outcome;
    })().finally(function () {
      running = null;
    });
    return running;
  }

  async function post() {
    const draft = read(key);
    if (!draft) return "saved";
    say("saving");
    if (stale && !(await freshToken())) {
      say("login");
      later();
      return "login";
    }
    const body = new FormData();
    body.set("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    body.set("version", String(draft.base));
    for (const [name, values] of Object.entries(draft.fields)) {
      for (const value of values) body.append(name, value);
    }
    let response;
    try {
      response = await fetch(location.href, {
        method: "POST",
        body: body,
        headers: { "X-Draft": "1" },
        credentials: "same-origin",
        cache: "no-store",
        signal: AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT) : undefined,
      });
    } catch (e) {
      say("offline");
      later();
      return "offline";
    }
    const outcome = response.headers.get("X-Draft-Result");
    if (!outcome) {
      // Not an answer of this page: the sign-in page after a session ended, a refused
      // token after signing in again elsewhere, an error page. The token is read afresh
      // before the next try.
      stale = true;
      say(response.redirected && response.url.includes("/dang-nhap/") ? "login" : "failed");
      later();
      return "failed";
    }
    retryIn = 0;
    showStatus(await response.text());
    const version = Number(response.headers.get("X-Draft-Version"));
    if (outcome === "saved") {
      base = version;
      form.elements.version.value = String(version);
      const now = read(key);
      if (now && now.rev === draft.rev) {
        forget();
        dirty = false;
      } else if (now) {
        // Typed on while this copy travelled: the newer text goes next, on the new version.
        now.base = version;
        write(now);
        again = true;
      }
      say(again ? "unsaved" : "saved", response.headers.get("X-Draft-Time"));
    } else {
      say(outcome);
    }
    return outcome;
  }

  async function freshToken() {
    // The page as the server gives it now, for the token of the session now signed in.
    try {
      const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return false;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const token = page.querySelector("input[name=csrfmiddlewaretoken]");
      if (!token) return false;
      form.elements.csrfmiddlewaretoken.value = token.value;
      stale = false;
      return true;
    } catch (e) {
      return false;
    }
  }

  function showStatus(html) {
    const status = document.getElementById("status");
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("status");
    if (status && fresh) status.replaceWith(fresh);
  }

  async function save(event) {
    // The page's own buttons: a draft is saved by the request above, without leaving the
    // page; a submission goes only once the draft is safe on the server, so that a dropped
    // line never ends on the browser's error page with the text gone.
    const button = event.submitter;
    if (form.dataset.leaving === "true") return;
    event.preventDefault();
    if (button && button.name === "overwrite") {
      // "Keep this page's copy": it now counts from the copy saved elsewhere, which it
      // replaces; a copy saved later still is refused again.
      const draft = read(key) || { rev: 0, fields: fields() };
      draft.base = Number(button.value);
      write(draft);
    } else {
      keep();
    }
    clearTimeout(timer);
    const submitting = button && button.name === "submit";
    if (submitting) say("submitting");
    const outcome = await send();
    if (!submitting) return;
    if (outcome !== "saved") {
      if (outcome === "offline" || outcome === "failed" || outcome === "login") {
        say("not_submitted");
      }
      return;
    }
    form.dataset.leaving = "true";
    form.requestSubmit(button);
  }

  function discard(event) {
    // "Use the saved copy": this tab's draft is dropped and the page shows the server's.
    event.preventDefault();
    forget();
    location.reload();
  }

  function showKept(draft, k) {
    // A draft the server can no longer take (the form was submitted meanwhile): shown once
    // as text, so that nothing typed is lost without the user seeing it, then removable.
    const box = document.createElement("div");
    box.className = "note kept";
    const title = document.createElement("p");
    title.textContent = texts.kept;
    box.append(title);
    for (const [name, values] of Object.entries(draft.fields)) {
      const el = form.elements[name];
      const label = el && el.labels && el.labels[0];
      if (!label || el.tagName !== "TEXTAREA" || !values.join("").trim()) continue;
      const p = document.createElement("p");
      const strong = document.createElement("strong");
      strong.textContent = label.textContent + ": ";
      p.append(strong, values.join(" "));
      box.append(p);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = texts.discard;
    button.addEventListener("click", function () {
      forget(k);
      box.remove();
    });
    box.append(button);
    form.before(box);
  }

  async function arrive() {
    const alive = await liveTabs();
    if (alive.has(tab)) {
      // A duplicated tab carries the same id as its original: it takes one of its own.
      tab = tabId(true);
      key = prefix + tab;
    }
    if (channel) channel.addEventListener("message", (event) => {
      if (event.data === "?") channel.postMessage(tab);
    });
    if (!editable) {
      const [found] = orphans(alive);
      for (const [k, draft] of [[key, read(key)], found || []]) {
        if (draft) showKept(draft, k);
      }
      return;
    }
    adopt(alive);
  }

  function adopt(alive) {
    // A draft whose tab went silent only now (a crash, a tab closed without a word) is
    // looked at again once it would count as left.
    if (read(key) || dirty) return;
    const [found, waiting] = orphans(alive);
    if (found) {
      forget(found[0]);
      delete found[1].closed;
      write(found[1]);
      restore(found[1]);
    } else if (waiting) {
      setTimeout(async () => adopt(await liveTabs()), ORPHAN);
    }
  }

  function restore(draft) {
    if (same(draft.fields, initial)) {
      forget();
    } else {
      fill(draft.fields);
      dirty = true;
      say("unsaved");
      send();
    }
  }

  if (!editable) {
    arrive();
    return;
  }
  // This tab's own draft (a reload) at once; the newest one a closed tab left once the tabs
  // still open have answered.
  if (read(key)) restore(read(key));
  // What was typed before this script ran is a change like any other.
  if (!dirty && !same(fields(), initial)) changed();

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", save);
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-draft-discard]")) discard(event);
  });
  window.addEventListener("online", send);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && read(key)) send();
  });
  let hidden = false; // between pagehide and the tab's end, or its return from the cache
  setInterval(function () {
    const draft = read(key);
    if (draft && !hidden) {
      delete draft.closed; // back from the browser's page cache
      write(draft);
    }
  }, BEAT);
  window.addEventListener("pagehide", function () {
    // A tab that closes leaves its draft to the next visit at once: a beat due before the
    // tab is gone must not take the mark back.
    hidden = true;
    const draft = read(key);
    if (draft) write(Object.assign(draft, { closed: true }));
  });
  window.addEventListener("pageshow", function () {
    hidden = false;
  });
  arrive();
})();
