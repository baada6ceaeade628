// Studio "Short videos": upload a clip with a caption and tagged products (with upload
// progress), then watch its status until the transcode job says ready or failed.
const $ = (s) => document.querySelector(s);
const form = $("#clip-form");
const errors = $("#clip-errors");
const progress = $("#clip-progress");
const progressText = $("#clip-progress-text");
const csrf = document.querySelector('meta[name="csrf-token"]').content;

function fail(text) {
  errors.textContent = text;
  errors.hidden = false;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  errors.hidden = true;
  const data = new FormData(form);
  const tagged = data.getAll("product_ids");
  if (!$("#clip-file").files.length) return fail("Choose a clip to upload first.");
  if (tagged.length > 5) return fail("Tag at most 5 products.");
  data.delete("product_ids");
  data.set("product_ids", tagged.join(","));
  // XMLHttpRequest rather than fetch: it reports upload progress
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/videos");
  xhr.setRequestHeader("X-CSRF-Token", csrf);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (ev) => {
    if (!ev.lengthComputable) return;
    progress.value = Math.round((ev.loaded / ev.total) * 100);
    progressText.textContent = progress.value < 100 ? `Uploading… ${progress.value}%` : "Checking the clip…";
  });
  xhr.addEventListener("load", () => {
    $("#clip-submit").disabled = false;
    progress.hidden = true;
    if (xhr.status === 201) {
      location.reload(); // the new clip appears as processing; polling takes over
      return;
    }
    let problem = {};
    try { problem = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
    progressText.textContent = "";
    fail(problem.detail || `Upload failed (${xhr.status})`);
  });
  xhr.addEventListener("error", () => {
    $("#clip-submit").disabled = false;
    progress.hidden = true;
    progressText.textContent = "";
    fail("The upload was interrupted; check the connection and try again.");
  });
  $("#clip-submit").disabled = true;
  progress.hidden = false;
  progress.value = 0;
  xhr.send(data);
});

// While a clip is processing, look again every two seconds; reload once it settles.
async function poll() {
  if (!document.querySelector('#clip-table tr[data-status="processing"]')) return;
  try {
    const res = await fetch("/api/me/videos", { credentials: "same-origin", headers: { Accept: "application/json" } });
    const page = await res.json();
    const settled = page.items.some((c) => {
      const row = document.querySelector(`#clip-table tr[data-id="${c.id}"]`);
      return row && row.dataset.status === "processing" && c.status !== "processing";
    });
    if (settled) { location.reload(); return; }
  } catch { /* offline for a moment: try again */ }
  setTimeout(poll, 2000);
}
poll();
