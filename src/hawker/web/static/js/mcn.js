// MCN portal: invite a host by e-mail at a share (percent in, basis points sent); let one go.
// Host studio: answer an agency's invitation.
import { api, toast } from "./api.js";

const form = document.getElementById("invite-form");
form?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = document.getElementById("invite-error");
  error.hidden = true;
  try {
    if (!form.checkValidity()) throw new Error("Type the host's e-mail and a share like 20 or 12.5");
    const share = Math.round(Number(form.share.value.replace(",", ".")) * 100);
    if (share > 10000) throw new Error("A share is at most 100 %");
    await api("POST", "/api/mcn/invites", { host_email: form.host_email.value.trim(), share_bps: share });
    toast("Invitation sent");
    setTimeout(() => location.reload(), 500);
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
});

document.addEventListener("click", async (e) => {
  const release = e.target.closest("[data-release]");
  const answer = e.target.closest("[data-answer]");
  try {
    if (release) {
      if (!confirm(`Let ${release.dataset.name} go from your roster?`)) return;
      await api("DELETE", `/api/mcn/roster/${release.dataset.release}`);
      release.closest("tr").remove();
      toast(`${release.dataset.name} left your roster`);
    } else if (answer) {
      const invite = await api("POST", `/api/me/mcn-invites/${answer.dataset.invite}/${answer.dataset.answer}`);
      answer.closest("[data-invitation]").remove();
      toast(invite.status === "accepted" ? `You joined ${invite.name}` : "Invitation declined");
    }
  } catch (err) {
    toast(err.message, true);
  }
});
