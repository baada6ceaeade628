// Marketplace: add an offered product to one of my shows (the line-up is set as a whole), get
// an affiliate link for a product and copy it.
import { api, toast } from "./api.js";

document.addEventListener("submit", async (e) => {
  const form = e.target.closest("[data-add]");
  if (!form) return;
  e.preventDefault();
  const option = form.show.selectedOptions[0];
  const lineup = option.dataset.lineup ? option.dataset.lineup.split(",").map(Number) : [];
  const product = Number(form.dataset.add);
  if (lineup.includes(product)) return toast("Already in that show's line-up");
  try {
    await api("PUT", `/api/shows/${option.value}/lineup`, { product_ids: [...lineup, product] });
    option.dataset.lineup = [...lineup, product].join(",");
    toast(`Added to ${option.textContent.trim()}`);
  } catch (err) {
    toast(err.message, true);
  }
});

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast("Link copied: share it anywhere");
  } catch {
    toast(`Copy this link: ${text}`); // no clipboard access: show it instead
  }
}

document.addEventListener("click", async (e) => {
  const copyButton = e.target.closest("[data-copy]");
  if (copyButton) return copy(document.getElementById(copyButton.dataset.copy).value);
  const get = e.target.closest("[data-link]");
  if (!get) return;
  try {
    const link = await api("POST", "/api/affiliate-links", { product_id: Number(get.dataset.link) });
    const id = `link-${link.product_id}`;
    const row = document.createElement("span");
    row.className = "copy-row";
    row.innerHTML = `<input id="${id}" readonly aria-label="Affiliate link"><button class="btn btn-sm" type="button" data-copy="${id}">Copy</button>`;
    row.querySelector("input").value = new URL(link.url, location.origin).href;
    get.replaceWith(row);
    await copy(row.querySelector("input").value);
  } catch (err) {
    toast(err.message, true);
  }
});
