// A signed-in account (hall_server/transport/sessions.py): sign in and out, and the csrftoken
// cookie echoed in X-CSRFToken on every state-changing request (double submit; the server refuses
// a POST, PUT or DELETE that carries cookies without it).
import { HallError } from "./hall.js";

/** The page's csrftoken cookie (set by the server on any response), or "". */
export function csrfToken() {
  const m = /(?:^|;\s*)csrftoken=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : "";
}

export function csrfHeaders() {
  const token = csrfToken();
  return token ? { "X-CSRFToken": token } : {};
}

/** fetch() a JSON route: state-changing methods carry the CSRF header; a refusal throws HallError. */
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const r = await fetch(path, {
    method, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(method === "GET" ? {} : csrfHeaders()), ...headers },
  });
  const answer = await r.json().catch(() => ({ ok: false, error: { code: "internal", message: `HTTP ${r.status}` } }));
  if (!answer.ok) throw new HallError(answer.error);
  return answer;
}

/** The signed-in account {name, roles}, or null. */
export async function currentAccount() {
  return api("/api/session").then((a) => a.account, () => null);
}

export async function signInAccount(name, password) {
  return (await api("/api/session", { method: "POST", body: { name, password } })).account;
}

export async function signOutAccount() {
  await api("/api/session", { method: "DELETE" });
}
