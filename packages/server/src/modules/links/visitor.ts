/**
 * Who scanned, coarsely and without naming anyone: device class, browser and OS from the user
 * agent (bowser), bot flag (isbot), first language of Accept-Language, the referrer's host, a
 * country only from a local GeoIP database (maxmind; no external call), and a visitor key — an
 * HMAC of the IP with a salt that changes every UTC day, so a day's unique visitors can be counted
 * while the IP itself is never stored and yesterday's keys cannot be linked to today's.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import Bowser from 'bowser';
import { isbot } from 'isbot';
import type { CountryResponse, Reader } from 'maxmind';
import type { DEVICE_CLASSES } from './schema.js';

export interface Visitor {
  device: (typeof DEVICE_CLASSES)[number];
  browser: string | null;
  os: string | null;
  bot: boolean;
  language: string | null;
  referrer: string | null;
  country: string | null;
  visitor: string;
}

interface Agent {
  device: Visitor['device'];
  browser: string | null;
  os: string | null;
  bot: boolean;
}

/** Parsed user agents: scans repeat a few hundred agents, and parsing is the costly part. */
const AGENTS_REMEMBERED = 5000;

export class VisitorReader {
  private readonly agents = new Map<string, Agent>();
  private readonly saltKey: Buffer;
  private salt?: { day: string; key: Buffer };

  constructor(
    secret: Uint8Array,
    private readonly geoip?: Reader<CountryResponse>,
  ) {
    this.saltKey = Buffer.from(hkdfSync('sha256', secret, 'qrforge', 'scan-visitor-salt v1', 32));
  }

  read(
    headers: Record<string, string | string[] | undefined>,
    ip: string,
    now = new Date(),
  ): Visitor {
    const agent = this.agent(String(headers['user-agent'] ?? ''));
    return {
      ...agent,
      language: firstLanguage(headers['accept-language']),
      referrer: referrerHost(headers.referer),
      country: this.geoip?.get(ip)?.country?.iso_code ?? null,
      visitor: createHmac('sha256', this.daySalt(now)).update(ip).digest('base64url').slice(0, 16),
    };
  }

  private agent(header: string): Agent {
    const ua = header.slice(0, 512);
    let agent = this.agents.get(ua);
    if (agent) return agent;
    const bot = !ua || isbot(ua);
    const parsed = Bowser.parse(ua || 'unknown');
    const type = parsed.platform.type;
    agent = {
      device: bot
        ? 'bot'
        : type === 'mobile' || type === 'tablet' || type === 'desktop'
          ? type
          : 'other',
      browser: parsed.browser.name ?? null,
      os: parsed.os.name ?? null,
      bot,
    };
    if (this.agents.size >= AGENTS_REMEMBERED) this.agents.clear();
    this.agents.set(ua, agent);
    return agent;
  }

  private daySalt(now: Date): Buffer {
    const day = now.toISOString().slice(0, 10);
    if (this.salt?.day !== day)
      this.salt = { day, key: createHmac('sha256', this.saltKey).update(day).digest() };
    return this.salt.key;
  }
}

/** `fr-CH, fr;q=0.9, en;q=0.8` → `fr-ch`: the first listed (browsers list by preference). */
export function firstLanguage(header: string | string[] | undefined): string | null {
  const first = String(header ?? '')
    .split(',')[0]
    ?.split(';')[0]
    ?.trim()
    .toLowerCase();
  return first && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(first) ? first.slice(0, 35) : null;
}

function referrerHost(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || !header) return null;
  try {
    return new URL(header).host || null;
  } catch {
    return null;
  }
}
