// The dashboard's only script: the live decision list, copy buttons, clickable rows.  No framework, no build.
// What needs it (the live indicator, copy buttons) is rendered hidden and shown here, and the note that stands
// in for it without script ("reload the page") is hidden here: without script nothing dead shows.
"use strict";

const POLL_MS = 1000;
const MAX_ROWS = 50;

function startLiveDecisions() {
  const table = document.getElementById("decisions");
  if (!table || table.dataset.live !== "1") return;
  const body = table.tBodies[0];
  const total = document.getElementById("decision-total");
  let last = Number(table.dataset.last || "0");
  let busy = false;
  async function poll() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const url = new URL(table.dataset.rowsUrl, window.location.href);
      url.searchParams.set("after", String(last));
      const response = await fetch(url, {headers: {"Accept": "application/json"}, cache: "no-store"});
      if (!response.ok) return;
      const answer = await response.json();
      last = Math.max(last, answer.last);
      table.dataset.last = String(last);
      if (answer.count > 0) {
        const empty = document.getElementById("no-decisions");
        if (empty) empty.remove();
        const holder = document.createElement("tbody");
        holder.innerHTML = answer.html;
        const fresh = Array.from(holder.querySelectorAll("tr"));
        for (const row of fresh.reverse()) {
          row.classList.add("fresh");
          body.insertBefore(row, body.firstChild);
        }
        while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
        if (total) total.textContent = String(Number(total.textContent) + answer.matching);
      }
    } catch (error) {
      // The server may be restarting: try again at the next tick.
    } finally {
      busy = false;
    }
  }
  window.setInterval(poll, POLL_MS);
  const indicator = document.getElementById("live-indicator");
  if (indicator) indicator.hidden = false;
  const note = document.getElementById("reload-note");
  if (note) note.hidden = true;
}

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text).catch(() => copyBySelection(text));
  }
  return copyBySelection(text);
}

function copyBySelection(text) {
  const area = document.createElement("textarea");
  area.value = text;
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
  return Promise.resolve();
}

function startCopyButtons() {
  for (const button of document.querySelectorAll("button.copy")) button.hidden = false;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (button) {
      const target = document.getElementById(button.dataset.copyTarget);
      copyText(target ? target.textContent : "").then(() => {
        button.textContent = "Copied";
        button.classList.add("copied");
        window.setTimeout(() => { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
      });
      return;
    }
    const row = event.target.closest("tr.decision-row");
    if (row && !event.target.closest("a")) window.location.href = row.dataset.href;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  startLiveDecisions();
  startCopyButtons();
});
