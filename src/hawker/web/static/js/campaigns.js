// Operator campaign pages: create a campaign; approve, reject and feature entries; import the
// show schedule from CSV; add and end boosts; the campaign's GMV refetched when it moves.
import { api, money, toast } from "./api.js";

function fail(id, err) {
  const box = document.getElementById(id);
  const rows = err.problem?.errors;
  box.textContent = err.message;
  if (Array.isArray(rows) && rows.length && rows[0].row !== undefined) {
    const list = document.createElement("ul");
    for (const r of rows.slice(0, 50)) {
      list.append(Object.assign(document.createElement("li"), { textContent: `Row ${r.row}: ${r.detail}` }));
    }
    box.append(list);
  }
  box.hidden = false;
}

const utc = (local) => (local ? `${local}:00Z` : "");

document.getElementById("campaign-form")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  document.getElementById("campaign-error").hidden = true;
  try {
    const c = await api("POST", "/api/campaigns", {
      name: f.name.value.trim(),
      slug: f.slug.value.trim(),
      starts_at: utc(f.starts_at.value),
      ends_at: utc(f.ends_at.value),
      theme_colour: f.theme_colour.value,
      currency: f.currency.value,
      banner_url: f.banner_url.value.trim(),
      rules: f.rules.value,
    });
    location.href = `/operator/campaigns/${c.id}`;
  } catch (err) {
    fail("campaign-error", err);
  }
});

document.getElementById("import-form")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  document.getElementById("import-error").hidden = true;
  const file = e.target.elements.file.files[0];
  if (!file) return fail("import-error", new Error("Choose a CSV file first."));
  const id = document.getElementById("campaign-stats").dataset.campaign;
  try {
    const res = await fetch(`/api/campaigns/${id}/schedule`, {
      method: "POST",
      headers: { "Content-Type": "text/csv", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
      credentials: "same-origin",
      body: await file.text(),
    });
    const data = await res.json();
    if (!res.ok) throw Object.assign(new Error(data.detail || "import failed"), { problem: data });
    toast(`${data.shows} shows imported`);
    setTimeout(() => location.reload(), 800);
  } catch (err) {
    fail("import-error", err);
  }
});

document.getElementById("boost-form")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  document.getElementById("boost-error").hidden = true;
  const id = document.getElementById("campaign-stats").dataset.campaign;
  try {
    await api("POST", "/api/boosts", {
      kind: f.kind.value,
      target_id: Number(f.target_id.value),
      campaign_id: Number(id),
      multiplier: Number(f.multiplier.value),
      score_cap: f.score_cap.value.trim() ? Number(f.score_cap.value) : null,
      daily_budget: Number(f.daily_budget.value),
    });
    location.reload();
  } catch (err) {
    fail("boost-error", err);
  }
});

document.addEventListener("click", async (e) => {
  const decide = e.target.closest("[data-decide]");
  const feature = e.target.closest("[data-feature]");
  const end = e.target.closest("[data-end-boost]");
  try {
    if (decide) {
      await api("POST", `/api/campaign-entries/${decide.dataset.entry}/decision`, { status: decide.dataset.decide });
    } else if (feature) {
      await api("POST", `/api/campaign-entries/${feature.dataset.feature}/feature`, { featured: feature.dataset.featured !== "true" });
    } else if (end) {
      await api("DELETE", `/api/boosts/${end.dataset.endBoost}`);
    } else {
      return;
    }
    location.reload();
  } catch (err) {
    toast(err.message, true);
  }
});

const stats = document.getElementById("campaign-stats");
if (stats) {
  const { campaign, currency } = stats.dataset;
  const stream = new EventSource(`/api/campaigns/${campaign}/gmv-stream`);
  const refresh = async () => {
    try {
      const rows = await api("GET", `/api/campaigns/${campaign}/gmv`);
      const row = rows.find((r) => r.currency === currency) || { gmv: 0, boosted_gmv: 0, orders: 0 };
      document.getElementById("gmv").textContent = money(row.gmv, currency);
      document.getElementById("boosted").textContent = money(row.boosted_gmv, currency);
      document.getElementById("orders").textContent = row.orders;
    } catch {
      /* the next change refetches */
    }
  };
  for (const name of ["changed", "open"]) stream.addEventListener(name, refresh); // open: after a reconnect
}
