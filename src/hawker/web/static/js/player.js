// The live video: HLS through hls.js (vendored, MSE) or the browser's own HLS, tuned to stay a
// few seconds behind the camera. Until video arrives, or when it drops, the poster stays up
// with a message and the player retries on its own; `reload()` retries at once (the room
// calls it when the media server says an encoder connected).

const RETRY_MS = [1000, 2000, 3000, 5000];
const STALL_MS = 6000; // no progress for this long while "playing" means the stream dropped

// Low latency for 1 s fragments: start two fragments from the live edge, speed up a little
// to catch up rather than jump, and keep little buffer behind the playhead.
const HLS_CONFIG = {
  lowLatencyMode: true,
  liveSyncDurationCount: 2,
  liveMaxLatencyDurationCount: 6,
  maxLiveSyncPlaybackRate: 1.2,
  backBufferLength: 10,
  manifestLoadingMaxRetry: 0, // this module owns retries, with its own messages
  levelLoadingMaxRetry: 2,
};

export function livePlayer(video, onState) {
  let url = null;
  let hls = null;
  let attempt = 0;
  let retryTimer = null;
  let lastTime = -1;
  let lastProgress = 0;
  let state = "idle";

  const set = (next) => {
    if (next !== state) { state = next; onState(next); }
  };

  function teardown() {
    clearTimeout(retryTimer);
    if (hls) { hls.destroy(); hls = null; }
    video.removeAttribute("src");
    video.load();
  }

  function retry() {
    teardown();
    if (!url) return;
    const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
    attempt += 1;
    retryTimer = setTimeout(start, wait);
  }

  function start() {
    if (!url) return;
    lastTime = -1;
    lastProgress = performance.now();
    const Hls = window.Hls;
    if (Hls && Hls.isSupported()) {
      hls = new Hls(HLS_CONFIG);
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        set(state === "playing" || state === "dropped" ? "dropped" : "waiting");
        retry();
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      video.play().catch(() => {});
    } else {
      set("unsupported");
    }
  }

  video.addEventListener("playing", () => { attempt = 0; set("playing"); });
  video.addEventListener("error", () => { if (url && !hls) { set("waiting"); retry(); } });
  setInterval(() => {
    if (!url || state !== "playing") return;
    if (video.currentTime !== lastTime) {
      lastTime = video.currentTime;
      lastProgress = performance.now();
    } else if (performance.now() - lastProgress > STALL_MS) {
      set("dropped");
      retry();
    }
  }, 1000);

  return {
    // Play `next` (a playlist URL), or stop and show the poster when it is null.
    load(next) {
      if (next === url && hls) return;
      url = next;
      attempt = 0;
      teardown();
      if (url) { set("waiting"); start(); } else set("idle");
    },
    reload() {
      if (!url) return;
      attempt = 0;
      teardown();
      start();
    },
    dropped() {
      if (url) { set("dropped"); retry(); }
    },
  };
}
