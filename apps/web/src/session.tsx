/**
 * Who is signed in. Tokens live in sessionStorage (this tab only, gone when it closes); every API
 * call carries the access token and the chosen tenant (X-Tenant-Id), and an expired access token
 * is renewed once with the refresh token before the call is retried.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Middleware } from 'openapi-fetch';
import { api } from './api/client.js';
import type { paths } from './api/schema.js';

type Me = paths['/api/v1/auth/me']['get']['responses']['200']['content']['application/json'];
interface Tokens {
  accessToken: string;
  refreshToken: string;
}

interface Session {
  me?: Me;
  tenantId?: string;
  signIn(email: string, password: string): Promise<void>;
  /** First run: creates the first account (the admin) and signs it in. */
  setUp(input: { email: string; password: string; organisation: string }): Promise<void>;
  signOut(): Promise<void>;
  setTenant(tenantId: string): void;
}

const KEY = 'qrforge.session';
const load = (): (Tokens & { tenantId?: string }) | undefined => {
  try {
    return (
      (JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Tokens & { tenantId?: string }) ??
      undefined
    );
  } catch {
    return undefined;
  }
};
let stored = load();
const save = (value: typeof stored) => {
  stored = value;
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
  else sessionStorage.removeItem(KEY);
};

async function refresh(): Promise<boolean> {
  if (!stored) return false;
  const response = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: stored.refreshToken }),
  });
  if (!response.ok) {
    save(undefined);
    return false;
  }
  const tokens = (await response.json()) as Tokens;
  save({ ...stored, ...tokens });
  return true;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (stored && !request.url.includes('/api/v1/auth/login')) {
      request.headers.set('authorization', `Bearer ${stored.accessToken}`);
      if (stored.tenantId) request.headers.set('x-tenant-id', stored.tenantId);
    }
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || !stored || request.headers.get('x-retried')) return response;
    if (!(await refresh())) return response;
    const again = new Request(request, { headers: new Headers(request.headers) });
    again.headers.set('authorization', `Bearer ${stored.accessToken}`);
    again.headers.set('x-retried', '1');
    return fetch(again);
  },
};
api.use(auth);

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me>();
  const [tenantId, setTenantId] = useState(stored?.tenantId);

  const loadMe = useCallback(async () => {
    const { data } = await api.GET('/api/v1/auth/me');
    setMe(data);
    if (data && !stored?.tenantId && data.tenants[0]) {
      save({ ...stored!, tenantId: data.tenants[0].tenantId });
      setTenantId(data.tenants[0].tenantId);
    }
  }, []);

  useEffect(() => {
    if (stored) void loadMe();
  }, [loadMe]);

  const value = useMemo<Session>(
    () => ({
      me,
      tenantId,
      async signIn(email, password) {
        const { data, error } = await api.POST('/api/v1/auth/login', {
          body: { email, password },
        });
        if (!data) throw new Error(problemText(error));
        save({ accessToken: data.accessToken, refreshToken: data.refreshToken });
        await loadMe();
      },
      async setUp(input) {
        const { data, error } = await api.POST('/api/v1/setup', { body: input });
        if (!data) throw new Error(problemText(error));
        save({ accessToken: data.accessToken, refreshToken: data.refreshToken });
        await loadMe();
      },
      async signOut() {
        if (stored)
          await api.POST('/api/v1/auth/logout', { body: { refreshToken: stored.refreshToken } });
        save(undefined);
        setMe(undefined);
        setTenantId(undefined);
      },
      setTenant(id) {
        save({ ...stored!, tenantId: id });
        setTenantId(id);
      },
    }),
    [me, tenantId, loadMe],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user's role in the chosen tenant; undefined when signed out. */
export function roleIn(session: Session): 'viewer' | 'operator' | 'admin' | undefined {
  if (!session.me) return undefined;
  const role = session.me.tenants.find((t) => t.tenantId === session.tenantId)?.role;
  return role === 'admin' || role === 'operator' ? role : 'viewer';
}

/** The server's problem+json detail, or a plain sentence. */
export function problemText(error: unknown): string {
  const problem = error as { detail?: string; title?: string } | undefined;
  return problem?.detail ?? problem?.title ?? 'The request failed';
}
