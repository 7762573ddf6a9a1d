// The HTTP API, with the learner's token (or, on the staff page, a staff
// token). Errors arrive as ApiError carrying the server's {"error": {code,
// message}} and, when the server sent one, its Retry-After in seconds.

const TOKEN_KEY = 'codeplatform.token';

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

/** Keeps `t` as the learner's token: a sign-in to an account. */
export function keepToken(t) {
  localStorage.setItem(TOKEN_KEY, t);
}

/** Forgets the learner's token: the next visit makes a new learner. */
export function forgetToken() {
  localStorage.removeItem(TOKEN_KEY);
}

/** A request as the learner. */
export function api(path, options = {}) {
  return request(path, { ...options, bearer: token() });
}

/** A request with `bearer` as its token, if any; the parsed JSON answer. */
export async function request(path, { method = 'GET', body, bearer } = {}) {
  const headers = {};
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection; we will keep trying.');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data?.error ?? {};
    const retry = Number.parseInt(res.headers.get('Retry-After') ?? '', 10);
    throw new ApiError(res.status, e.code ?? 'http_error', e.message ?? `The server answered ${res.status}.`,
      Number.isFinite(retry) ? retry : null);
  }
  return data;
}

/** The learner's progress; makes a new anonymous learner on a first visit. */
export async function ensureLearner() {
  if (token()) {
    try {
      return await api('/api/me');
    } catch (e) {
      if (e.status !== 401) throw e;
    }
  }
  const created = await api('/api/users', { method: 'POST' });
  localStorage.setItem(TOKEN_KEY, created.token);
  return api('/api/me');
}
