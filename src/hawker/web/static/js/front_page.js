// Operator front-page console: every change rewrites the draft (PUT), then the page reloads;
// publish, preview as a shopper, roll back to an earlier version.
import { api, toast } from "./api.js";

const sections = JSON.parse(document.getElementById("draft-state").textContent);
const showError = (id, err) => {
  const box = document.getElementById(id);
  box.textContent = err.message;
  box.hidden = false;
};

async function save(next) {
  await api("PUT", "/api/front-page/draft", { sections: next });
  location.reload();
}

function moved(index, where) {
  const next = sections.slice();
  const [section] = next.splice(index, 1);
  const to = { top: 0, middle: Math.floor(next.length / 2), up: index - 1, down: index + 1 }[where];
  next.splice(Math.max(0, Math.min(next.length, to)), 0, section);
  return next;
}

const list = (value) => value.split(",").map((x) => x.trim()).filter(Boolean);
const when = (value) => (value ? new Date(value).toISOString() : null);

document.getElementById("section-form")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  document.getElementById("section-error").hidden = true;
  const f = e.target.elements;
  const items = list(f.items.value).map((pair) => {
    const [kind, id] = pair.split(":");
    return { kind: kind.trim(), id: Number(id) };
  });
  const target = { audience: f.audience.value, countries: list(f.countries.value), languages: list(f.languages.value) };
  if (f.followers_of.value.trim()) target.followers_of = Number(f.followers_of.value);
  const section = {
    title: f.title.value.trim(),
    source: f.source.value,
    limit: Number(f.limit.value),
    items,
    target,
    starts_at: when(f.starts_at.value),
    ends_at: when(f.ends_at.value),
  };
  try {
    await save([...sections, section]);
  } catch (err) {
    showError("section-error", err);
  }
});

document.addEventListener("click", async (e) => {
  const row = e.target.closest("tr[data-index]");
  const index = row ? Number(row.dataset.index) : -1;
  try {
    if (e.target.closest("[data-move]")) {
      await save(moved(index, e.target.closest("[data-move]").dataset.move));
    } else if (e.target.closest("[data-remove]")) {
      await save(sections.filter((_, i) => i !== index));
    } else if (e.target.closest("#publish")) {
      const layout = await api("POST", "/api/front-page/publish", { note: document.getElementById("publish-note").value.trim() });
      toast(`Version ${layout.version} is live`);
      setTimeout(() => location.reload(), 600);
    } else if (e.target.closest("#preview")) {
      const who = document.getElementById("preview-as").value.trim();
      window.open(`/operator/front-page/preview${who ? `?as_user=${encodeURIComponent(who)}` : ""}`, "_blank");
    } else if (e.target.closest("[data-rollback]")) {
      const version = Number(e.target.closest("[data-rollback]").dataset.rollback);
      await api("POST", "/api/front-page/rollback", { version });
      location.reload();
    }
  } catch (err) {
    showError("draft-error", err);
  }
});
