/**
 * The tenant's feature flags (GET /api/v1/features), so the page hides what the server would
 * refuse. Unknown until loaded (and when signed out): callers treat that as "on", and the server
 * still has the last word (403 FEATURE_ERR_OFF).
 */
import { useEffect, useState } from 'react';
import type { paths } from './api/schema.js';
import { api } from './api/client.js';
import { useSession } from './session.js';

export type Flags =
  paths['/api/v1/features']['get']['responses']['200']['content']['application/json']['flags'];

export function useFeatures(): Partial<Flags> {
  const { me, tenantId } = useSession();
  const [flags, setFlags] = useState<Partial<Flags>>({});
  useEffect(() => {
    if (!me || !tenantId) return setFlags({});
    let current = true;
    void api.GET('/api/v1/features').then(({ data }) => current && data && setFlags(data.flags));
    return () => {
      current = false;
    };
  }, [me, tenantId]);
  return flags;
}

/** On unless the server said off. */
export const isOn = (flags: Partial<Flags>, key: keyof Flags) => flags[key] !== false;
