// Leaderboards: the server pushes "changed" (Server-Sent Events) whenever paid orders or
// refunds move a board (a campaign's board: its GMV stream); the page refetches its board and
// flashes the rows that moved.
import { api, money } from "./api.js";

const list = document.getElementById("board");
const live = document.getElementById("lb-live");
const { board, period, currency, campaign } = list.dataset;

function row(e) {
  const li = document.createElement("li");
  li.className = "lb-row";
  li.dataset.id = e.id;
  const rank = Object.assign(document.createElement("span"), { className: "lb-rank", textContent: e.rank });
  const name = Object.assign(document.createElement("span"), { className: "lb-name" });
  // hosts' names lead to their pages; merchants have none
  name.append(board === "merchants" ? e.name
    : Object.assign(document.createElement("a"), { href: `/hosts/${e.id}`, textContent: e.name }));
  const detail = document.createElement("span");
  detail.className = "muted lb-orders";
  detail.textContent = `${e.orders} order${e.orders === 1 ? "" : "s"}` +
    (board === "rising" ? ` · up from ${money(e.previous_gmv, currency)}` : "");
  name.append(detail);
  const gmv = Object.assign(document.createElement("span"), { className: "lb-gmv", textContent: money(e.gmv, currency) });
  li.append(rank);
  if (board !== "merchants") {
    const img = Object.assign(document.createElement("img"), { className: "avatar", alt: "" });
    img.src = e.avatar_url || "/static/demo/avatar-ana.svg";
    li.append(img);
  }
  li.append(name, gmv);
  return li;
}

async function refresh() {
  const before = new Map([...list.querySelectorAll(".lb-row")].map((li) => [li.dataset.id, li.querySelector(".lb-gmv").textContent]));
  const data = await api("GET", campaign ? `/api/campaigns/${campaign}/leaderboard`
    : `/api/leaderboards/${board}?period=${period}&currency=${currency}`);
  const rows = data.entries.map(row);
  for (const li of rows) {
    const was = before.get(li.dataset.id);
    if (was !== li.querySelector(".lb-gmv").textContent) li.classList.add("moved");
  }
  if (!rows.length) return;
  list.replaceChildren(...rows);
}

const source = new EventSource(campaign ? `/api/campaigns/${campaign}/gmv-stream` : "/api/leaderboards-stream");
source.addEventListener("changed", () => refresh().catch(() => {}));
source.addEventListener("open", () => live.classList.remove("off"));
source.addEventListener("error", () => live.classList.add("off"));
