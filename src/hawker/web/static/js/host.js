// A host's page: Follow / Following toggles through the follow API and shows the new count.
import { api, toast } from "./api.js";

const button = document.getElementById("follow");
const count = document.getElementById("followers");
const compact = (n) =>
  new Intl.NumberFormat(navigator.language || "en", { notation: "compact", maximumFractionDigits: 1 }).format(n);

button?.addEventListener("click", async () => {
  if (button.dataset.me !== "true") {
    location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    return;
  }
  const on = button.getAttribute("aria-pressed") !== "true";
  button.disabled = true;
  try {
    const host = await api(on ? "POST" : "DELETE", `/api/hosts/${button.dataset.host}/follow`);
    button.setAttribute("aria-pressed", String(host.following));
    button.textContent = host.following ? "Following" : "Follow";
    count.dataset.count = host.followers;
    count.textContent = compact(host.followers);
    count.nextSibling.textContent = host.followers === 1 ? " follower" : " followers";
  } catch (err) {
    toast(err.message, true);
  } finally {
    button.disabled = false;
  }
});
