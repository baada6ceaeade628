// Marketplace: add an offered product to one of my shows (the line-up is set as a whole).
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
