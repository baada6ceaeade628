// The bell: unread count on every page for a signed-in user, a toast when a followed host
// goes live or schedules a show (Server-Sent Events), and on /notifications: mark all read.
import { api } from "./api.js";

const count = document.getElementById("bell-count");

function show(unread) {
  count.textContent = unread > 99 ? "99+" : String(unread);
  count.hidden = unread === 0;
}

async function refresh() {
  const data = await api("GET", "/api/me/notifications");
  show(data.unread);
}

function announce(notice) {
  const el = document.createElement("a");
  el.className = "toast toast-link";
  el.href = `/shows/${notice.show_id}`;
  el.setAttribute("role", "status");
  el.textContent = notice.text;
  document.body.append(el);
  setTimeout(() => el.remove(), 6000);
}

const list = document.getElementById("notices");
if (list && Number(list.dataset.newest) > 0) {
  api("POST", "/api/me/notifications/read", { up_to: Number(list.dataset.newest) })
    .then((r) => show(r.unread))
    .catch(() => {});
} else {
  refresh().catch(() => {});
}

const source = new EventSource("/api/me/notifications/stream");
source.addEventListener("notification", (e) => {
  announce(JSON.parse(e.data));
  refresh().catch(() => {});
});
