// Operator console: save an account's roles (the server audits the change).
import { api, toast } from "./api.js";

document.addEventListener("submit", async (e) => {
  const form = e.target.closest("[data-roles]");
  if (!form) return;
  e.preventDefault();
  const roles = [...form.querySelectorAll("input[name=role]:checked")].map((box) => box.value);
  try {
    const user = await api("PUT", `/api/operator/users/${form.dataset.roles}/roles`, { roles });
    toast(`${user.display_name}: ${user.roles.join(", ")}`);
  } catch (err) {
    toast(err.message, true);
  }
});
