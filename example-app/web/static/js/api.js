// api.js: the page side of the API contract, shared by every page.
// Tokens live in localStorage; every call sends the access token as a
// Bearer token, keeps a renewed one from the New-Token header, tries one
// refresh when the access token has expired, and sends the user back to
// the login page on any other 401.
'use strict';

const Auth = {
  get access() { return localStorage.getItem('accessToken'); },
  get refresh() { return localStorage.getItem('refreshToken'); },
  save(data) {
    localStorage.setItem('accessToken', data.accessToken);
    localStorage.setItem('refreshToken', data.refreshToken);
  },
  clear() {
    localStorage.removeItem('accessToken');
    localStorage.removeItem('refreshToken');
  },
};

class ApiError extends Error {
  constructor(body, status) {
    super((body && body.message) || 'request failed');
    this.status = status;
    this.reason = body && body.reason;
    this.fields = (body && body.errors) || [];
  }
}

function toLogin() {
  Auth.clear();
  window.location.assign('/login.html');
}

// One refresh at a time: the server ends a session whose refresh token is
// presented twice, so concurrent 401s must share a single attempt.
let refreshing = null;
function tryRefresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const token = Auth.refresh;
      if (!token) return false;
      const res = await fetch('/user/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refreshToken: token }),
      });
      if (!res.ok) return false;
      Auth.save((await res.json()).data);
      return true;
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function api(method, path, body, retried) {
  const headers = { Accept: 'application/json' };
  if (Auth.access) headers.Authorization = 'Bearer ' + Auth.access;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const renewed = res.headers.get('New-Token');
  if (renewed) localStorage.setItem('accessToken', renewed);
  let payload;
  try {
    payload = await res.json();
  } catch {
    payload = { code: res.status, message: res.statusText };
  }
  if (res.status === 401) {
    if (!retried && payload.reason === 'expired' && Auth.refresh && await tryRefresh()) {
      return api(method, path, body, true);
    }
    toLogin();
    throw new ApiError(payload, 401);
  }
  if (!res.ok) throw new ApiError(payload, res.status);
  return payload.data;
}

// can mirrors the server's permission wildcards ("book:*" grants
// "book:create"), only to decide which buttons to show: the server checks
// every call again.
function can(granted, want) {
  return granted.some((g) => {
    const gp = g.split(':');
    const wp = want.split(':');
    for (let i = 0; i < gp.length; i++) {
      if (gp[i] === '*' && i === gp.length - 1) return wp.length > i;
      if (gp[i] !== '*' && gp[i] !== wp[i]) return false;
    }
    return gp.length === wp.length;
  });
}
