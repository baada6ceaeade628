// Studio profile form: bio and categories, saved with PUT /api/me/host-profile (the server
// checks everything again; this only keeps the form honest while typing).
import { api, toast } from "./api.js";

const form = document.getElementById("profile-form");
const error = document.getElementById("profile-error");
const chips = form.querySelector(".chips");
const boxes = [...form.querySelectorAll("input[name=category_ids]")];
const max = Number(chips.dataset.max);

function limit() {
  const full = boxes.filter((b) => b.checked).length >= max;
  for (const b of boxes) b.disabled = full && !b.checked;
}

form.elements.bio.addEventListener("input", () => {
  document.getElementById("bio-count").textContent = `${form.elements.bio.value.length} / ${form.elements.bio.maxLength}`;
});
chips.addEventListener("change", limit);
limit();

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  error.hidden = true;
  const body = {
    bio: form.elements.bio.value,
    category_ids: boxes.filter((b) => b.checked).map((b) => Number(b.value)),
  };
  try {
    const saved = await api("PUT", "/api/me/host-profile", body);
    form.elements.bio.value = saved.bio;
    toast("Profile saved");
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
});
