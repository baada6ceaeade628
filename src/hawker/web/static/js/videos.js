// The short-video feed: CSS scroll-snap shows one clip per screen; an IntersectionObserver
// plays the clip that is on screen (muted until the viewer asks for sound) and pauses the
// others, and reports each view's watch time. Actions: follow, like, comments, share, Buy
// (an order with channel "video" naming the clip). User text is written with textContent only.
import { api, toast } from "./api.js";
import { buy as checkout, el, sheet } from "./checkout.js";

const feed = document.getElementById("main");
const me = feed.dataset.me;
let soundOn = false;
let loading = false;

const compact = (n) =>
  new Intl.NumberFormat(navigator.language || "en", { notation: "compact", maximumFractionDigits: 1 }).format(n);

function needLogin() {
  if (me) return false;
  location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  return true;
}

// ---------------------------------------------------------------- playback and watch time
const watched = new WeakMap(); // section -> { ms, since }

function startClock(section) {
  const w = watched.get(section) || { ms: 0, since: 0 };
  if (!w.since) w.since = performance.now();
  watched.set(section, w);
}

function stopClock(section) {
  const w = watched.get(section);
  if (w?.since) { w.ms += performance.now() - w.since; w.since = 0; }
}

function sendView(section) {
  stopClock(section);
  const w = watched.get(section);
  if (!w || w.ms < 250) return;
  const ms = Math.min(Math.round(w.ms), 3_600_000);
  w.ms = 0;
  // keepalive: the report survives the page being closed mid-clip
  fetch(`/api/videos/${section.dataset.id}/views`, {
    method: "POST", keepalive: true, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
    body: JSON.stringify({ watched_ms: ms }),
  }).catch(() => {});
}

function play(section) {
  const video = section.querySelector("video");
  if (!video) return;
  video.muted = !soundOn;
  video.play().catch(() => {
    video.muted = true; // autoplay with sound refused: fall back to muted
    video.play().catch(() => {});
  });
}

const seen = new IntersectionObserver((entries) => {
  for (const { target, isIntersecting } of entries) {
    if (target.classList.contains("feed-more")) {
      if (isIntersecting) loadMore(target);
      continue;
    }
    const video = target.querySelector("video");
    if (isIntersecting) {
      target.dataset.visible = "true";
      play(target);
    } else if (target.dataset.visible) {
      delete target.dataset.visible;
      video?.pause();
      sendView(target);
    }
  }
}, { root: feed, threshold: 0.6 });

function wire(root) {
  for (const section of root.querySelectorAll(".clip")) {
    const video = section.querySelector("video");
    if (video) {
      video.addEventListener("playing", () => startClock(section));
      video.addEventListener("pause", () => stopClock(section));
      video.addEventListener("click", () => setSound(!soundOn));
    }
    seen.observe(section);
  }
  const more = root.querySelector(".feed-more");
  if (more) seen.observe(more);
}

async function loadMore(marker) {
  if (loading) return;
  loading = true;
  const params = new URLSearchParams({ cursor: marker.dataset.cursor });
  if (feed.dataset.tag) params.set("tag", feed.dataset.tag);
  if (feed.dataset.host) params.set("host", feed.dataset.host);
  try {
    const res = await fetch(`/videos/more?${params}`, { credentials: "same-origin" });
    if (!res.ok) throw new Error(`could not load more videos (${res.status})`);
    const page = document.createElement("template");
    page.innerHTML = await res.text(); // our own server-rendered, autoescaped fragment
    seen.unobserve(marker);
    marker.remove();
    const box = document.createElement("div");
    box.append(page.content);
    wire(box);
    feed.append(...box.childNodes);
  } catch (err) {
    toast(err.message, true);
  } finally {
    loading = false;
  }
}

function setSound(on) {
  soundOn = on;
  feed.dataset.sound = on ? "on" : "off";
  for (const video of feed.querySelectorAll(".clip[data-visible] video")) video.muted = !on;
}

window.addEventListener("pagehide", () => {
  for (const section of feed.querySelectorAll(".clip[data-visible]")) sendView(section);
});

// ---------------------------------------------------------------- actions
async function like(section, button) {
  if (needLogin()) return;
  const on = button.getAttribute("aria-pressed") !== "true";
  button.setAttribute("aria-pressed", String(on));
  try {
    const r = await api(on ? "POST" : "DELETE", `/api/videos/${section.dataset.id}/like`);
    button.querySelector("[data-count=likes]").textContent = compact(r.likes);
  } catch (err) {
    button.setAttribute("aria-pressed", String(!on));
    toast(err.message, true);
  }
}

async function follow(section, button) {
  if (needLogin()) return;
  const on = button.getAttribute("aria-pressed") !== "true";
  try {
    await api(on ? "POST" : "DELETE", `/api/hosts/${section.dataset.host}/follow`);
    for (const b of feed.querySelectorAll(`.clip[data-host="${section.dataset.host}"] [data-action=follow]`)) {
      b.setAttribute("aria-pressed", String(on));
      b.textContent = on ? "Following" : "Follow";
    }
  } catch (err) {
    toast(err.message, true);
  }
}

async function share(section) {
  const url = new URL(`/videos/${section.dataset.id}`, location.origin).href;
  try {
    await navigator.clipboard.writeText(url);
    toast("Link copied");
  } catch {
    toast(`Copy this link: ${url}`); // no clipboard access: show it instead
  }
}

async function comments(section) {
  const id = section.dataset.id;
  const list = el("ul", { class: "comment-list", id: "comment-list" });
  const render = (items) => {
    list.replaceChildren(...items.map((c) => el("li", {}, el("span", { class: "who", text: c.name }), el("span", { class: "text", text: c.text }))));
    if (!items.length) list.append(el("li", { class: "muted", text: "No comments yet. Say something nice!" }));
  };
  const input = el("input", { id: "comment-text", name: "text", maxlength: 300, placeholder: me ? "Add a comment…" : "Log in to comment", "aria-label": "Your comment", required: true });
  const form = el("form", { class: "comment-form" }, input, el("button", { class: "btn btn-buy", type: "submit", text: "Post" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (needLogin()) return;
    try {
      await api("POST", `/api/videos/${id}/comments`, { text: input.value });
      input.value = "";
      const items = await api("GET", `/api/videos/${id}/comments`);
      render(items);
      section.querySelector("[data-count=comments]").textContent = compact(items.length);
    } catch (err) {
      toast(err.message, true);
    }
  });
  sheet("Comments", list, form);
  render(await api("GET", `/api/videos/${id}/comments`).catch(() => []));
}

async function buy(section, productId) {
  if (needLogin()) return;
  try {
    const p = await api("GET", `/api/products/${productId}`);
    checkout(p, { channel: "video", videoId: Number(section.dataset.id), loggedIn: true, title: "Buy from this video" });
  } catch (err) {
    toast(err.message, true);
  }
}

feed.addEventListener("click", (e) => {
  const button = e.target.closest("[data-action]");
  const section = e.target.closest(".clip");
  if (!button || !section) return;
  const action = button.dataset.action;
  if (action === "sound") setSound(true);
  else if (action === "like") like(section, button);
  else if (action === "follow") follow(section, button);
  else if (action === "comments") comments(section);
  else if (action === "share") share(section);
  else if (action === "buy") buy(section, Number(button.dataset.product));
});

wire(feed);
