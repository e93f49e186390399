/**
 * Where a dynamic code sends a scan: its schedule first (disabled, not yet valid, expired), then
 * the routing rules in order — device class, language, time of day and weekday in a time zone —
 * the first rule whose every condition holds gives the target; none: the fallback target.
 */
import type { Visitor } from './visitor.js';

export interface RoutingRule {
  /** Any of these device classes. */
  device?: ('mobile' | 'tablet' | 'desktop')[];
  /** Any of these language tags; `fr` matches `fr-ch`. */
  language?: string[];
  /** Local time of day, `HH:MM`, from inclusive until exclusive (may pass midnight). */
  hours?: { from: string; until: string };
  /** Local weekdays, 0 = Sunday. */
  days?: number[];
  /** IANA time zone for `hours` and `days`; UTC when absent. */
  timeZone?: string;
  target: string;
}

export interface Routable {
  target: string;
  rules: RoutingRule[];
  enabled: boolean;
  validFrom: Date | null;
  validUntil: Date | null;
}

export type Resolution =
  { result: 'redirected'; target: string } | { result: 'disabled' | 'expired' | 'not-yet' };

/** Whether the code may redirect now, or why not: switched off, not yet valid, expired. */
export function scheduleOf(
  code: Pick<Routable, 'enabled' | 'validFrom' | 'validUntil'>,
  now: Date,
): 'active' | 'disabled' | 'not-yet' | 'expired' {
  if (!code.enabled) return 'disabled';
  if (code.validFrom && now < code.validFrom) return 'not-yet';
  if (code.validUntil && now >= code.validUntil) return 'expired';
  return 'active';
}

export function resolve(
  code: Routable,
  visitor: Pick<Visitor, 'device' | 'language'>,
  now: Date,
): Resolution {
  const schedule = scheduleOf(code, now);
  if (schedule !== 'active') return { result: schedule };
  const rule = code.rules.find((r) => matches(r, visitor, now));
  return { result: 'redirected', target: rule?.target ?? code.target };
}

function matches(rule: RoutingRule, visitor: Pick<Visitor, 'device' | 'language'>, now: Date) {
  if (rule.device && !rule.device.includes(visitor.device as 'mobile')) return false;
  if (rule.language) {
    const language = visitor.language;
    if (!language || !rule.language.some((l) => language === l || language.startsWith(`${l}-`)))
      return false;
  }
  if (rule.hours || rule.days) {
    const { minutes, day } = localTime(now, rule.timeZone ?? 'UTC');
    if (rule.days && !rule.days.includes(day)) return false;
    if (rule.hours) {
      const from = toMinutes(rule.hours.from);
      const until = toMinutes(rule.hours.until);
      const inside =
        from <= until ? minutes >= from && minutes < until : minutes >= from || minutes < until;
      if (!inside) return false;
    }
  }
  return true;
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function localTime(now: Date, timeZone: string): { minutes: number; day: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  return {
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    day: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** Whether a time zone name is one this runtime knows (rules are checked when saved). */
export function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
