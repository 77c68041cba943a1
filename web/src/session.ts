// The dashboard's session with the member platform (docs/api.md, "Sessions"): the secret lives in
// an HttpOnly cookie the browser sends by itself; this module keeps who is logged in and the
// session's CSRF token, which every unsafe request echoes in X-CSRF-Token.
import { ApiError, request, type Session } from './api';

let current: Session | null | undefined; // undefined: not asked yet; null: logged out

//! Who is logged in (GET /api/v1/session), asked once per page load; null when no one is.
export async function session(): Promise<Session | null> {
  if (current !== undefined) return current;
  try {
    current = await request<Session>('session', { cache: 'no-store' });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    current = null;
  }
  return current;
}

export async function logIn(login: string, password: string): Promise<Session> {
  current = await send<Session>('POST', 'session', { login, password });
  return current;
}

export async function logOut(): Promise<void> {
  await send('DELETE', 'session');
  current = null;
}

//! A member-platform request: JSON (or, for a File, its bytes as `type`) in, JSON out; unsafe
//! methods carry the session's CSRF token.
export function send<T>(method: string, path: string, body?: unknown, type = 'text/csv'): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && current?.csrf) headers['X-CSRF-Token'] = current.csrf;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;  // the browser writes its multipart/form-data Content-Type with the boundary
  } else if (body instanceof Blob) {
    payload = body;
    headers['Content-Type'] = type;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  return request<T>(path, { method, headers, body: payload, cache: 'no-store' });
}
