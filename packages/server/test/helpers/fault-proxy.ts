/**
 * A fault-injecting TCP proxy for tests: put it between the app and a server (S3, Azure,
 * PostgreSQL, Redis) and make the next connections or HTTP messages fail in a chosen way.
 *
 * `refuse` and `delay` hit new connections (setting them closes the open ones, so a keep-alive
 * pool cannot slip past); the others hit HTTP requests, on new or kept-alive connections.
 * `times` bounds how many are hit before the proxy passes traffic again.
 *
 * - `refuse`: close each connection at once.        - `reset`: take the request, then RST.
 * - `stall`: take the request, never answer.         - `delay`: forward after `delayMs`.
 * - `http503`: answer `503 Service Unavailable`.     - `flip`: flip one byte of the body of an
 *   HTTP request (`direction: 'request'`, PUT/POST only) or of a 200 response with a body.
 * - `answer`: answer `status` with `body` (an XML error, say) instead of the server.
 * - `lose-answer`: the server gets the request and acts on it; its answer is replaced by an RST.
 * `answer` and `lose-answer` take `match`, a pattern for the request line (`PUT /c/b?comp=…`):
 * only matching requests are hit. Every request's header block is kept in `requests`.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'refuse' | 'reset' | 'stall' | 'http503'; times?: number }
  | { kind: 'delay'; delayMs: number; times?: number }
  | { kind: 'flip'; direction: 'request' | 'response'; times?: number }
  | { kind: 'answer'; status: number; body?: string; match?: RegExp; times?: number }
  | { kind: 'lose-answer'; match?: RegExp; times?: number };

export class FaultProxy {
  /** Connections accepted since start. */
  connections = 0;
  /** Connections or messages the current fault was applied to. */
  injected = 0;
  /** Header blocks of the HTTP requests seen since the last `set`. */
  requests: string[] = [];
  private fault: Fault = { kind: 'pass' };
  private remaining = Infinity;
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
    private readonly http: boolean,
  ) {}

  /**
   * `http: false` for other protocols (AMQP, PostgreSQL wire): bytes pass untouched, and only the
   * connection faults (`refuse`, `delay`) apply.
   */
  static async start(
    target: { host: string; port: number },
    { http = true }: { http?: boolean } = {},
  ): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const proxy = new FaultProxy(server, port, target, http);
    server.on('connection', (socket) => proxy.handle(socket));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Sets the fault. For connection faults it closes the open connections and waits a moment, so
   * clients see the close before their next request instead of trying a dead pooled socket.
   */
  async set(fault: Fault): Promise<void> {
    this.fault = fault;
    this.injected = 0;
    this.requests = [];
    this.remaining = fault.kind === 'pass' ? Infinity : (fault.times ?? Infinity);
    if (fault.kind === 'refuse' || fault.kind === 'delay') {
      this.dropConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  dropConnections(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    socket.on('error', () => undefined);
  }

  private handle(client: Socket): void {
    this.connections++;
    this.track(client);
    const fault = this.fault;
    if (fault.kind === 'refuse' && this.take()) return void client.destroy();
    if (fault.kind === 'delay' && this.take()) {
      client.pause();
      setTimeout(() => this.forward(client), fault.delayMs);
      return;
    }
    this.forward(client);
  }

  /** Takes one use of the current fault if it is of one of `kinds`. */
  private take(...kinds: Fault['kind'][]): boolean {
    if (this.fault.kind === 'pass' || this.remaining <= 0) return false;
    if (kinds.length && !kinds.includes(this.fault.kind)) return false;
    this.remaining--;
    this.injected++;
    return true;
  }

  private forward(client: Socket): void {
    if (client.destroyed) return;
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    if (!this.http) {
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      return;
    }
    const methods: string[] = [];
    const requests = new HttpScanner('request', methods, (head) => {
      this.requests.push(head);
      return this.requestFault(head);
    });
    const responses = new HttpScanner('response', methods, () =>
      this.fault.kind === 'flip' && this.fault.direction === 'response' && this.take('flip')
        ? this.fault
        : undefined,
    );
    let faulted = false;
    let loseAnswer = false;
    client.on('data', (chunk: Buffer) => {
      if (faulted) return; // stall: read and drop everything
      const { out, fault } = requests.pass(chunk);
      if (out.length) upstream.write(out);
      if (!fault) return;
      // The request went through whole; the server's answer to it is lost.
      if (fault.kind === 'lose-answer') return void (loseAnswer = true);
      // A fault for this request: the request goes no further.
      faulted = true;
      upstream.destroy();
      if (fault.kind === 'reset') client.resetAndDestroy();
      else if (fault.kind === 'http503') client.end(UNAVAILABLE);
      else if (fault.kind === 'answer') client.end(answer(fault.status, fault.body ?? ''));
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!loseAnswer) return void client.write(responses.pass(chunk).out);
      faulted = true;
      upstream.destroy();
      client.resetAndDestroy();
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!faulted) client.destroy();
    });
    client.resume();
  }

  /** The fault for the request whose headers just arrived, if any. */
  private requestFault(head: string): Fault | undefined {
    const fault = this.fault;
    if (fault.kind === 'flip')
      return fault.direction === 'request' && this.take() ? fault : undefined;
    if (fault.kind === 'answer' || fault.kind === 'lose-answer') {
      const line = head.slice(0, head.indexOf('\r\n'));
      if (fault.match && !fault.match.test(line)) return undefined;
    }
    return this.take('reset', 'http503', 'stall', 'answer', 'lose-answer') ? fault : undefined;
  }
}

const UNAVAILABLE =
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nunavailable';

function answer(status: number, body: string): string {
  const type = body.startsWith('<') ? 'application/xml' : 'text/plain';
  return `HTTP/1.1 ${status} Fault\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Follows HTTP/1.1 messages in one direction by their headers and Content-Length (or chunked
 * framing), so a byte can be flipped inside a body — not in headers, which would only make a
 * parse error — and a fault can hit one request. Header blocks are held until complete.
 * Responses are paired with the requests' methods: a HEAD answer has no body.
 */
class HttpScanner {
  private state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailer' = 'head';
  private pending = Buffer.alloc(0);
  private bodyLeft = 0;
  private flipAt = -1;

  constructor(
    private readonly side: 'request' | 'response',
    private readonly methods: string[],
    /** Asked once per message, with its header block: a fault to apply to it, or undefined. */
    private readonly faultFor: (head: string) => Fault | undefined,
  ) {}

  pass(chunk: Buffer): { out: Buffer; fault?: Fault } {
    const out: Buffer[] = [];
    let lost: Fault | undefined;
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'body' || this.state === 'chunk-data') {
        const take = Math.min(this.bodyLeft, chunk.length - at);
        const body = Buffer.from(chunk.subarray(at, at + take));
        if (this.flipAt >= 0 && this.flipAt < take) {
          body[this.flipAt] ^= 0x01;
          this.flipAt = -1;
        } else if (this.flipAt >= 0) this.flipAt -= take;
        out.push(body);
        this.bodyLeft -= take;
        at += take;
        if (this.bodyLeft === 0) this.state = this.state === 'body' ? 'head' : 'chunk-size';
        continue;
      }
      // Line-framed parts: a header block, a chunk-size line (with the CRLF ending the previous
      // chunk's data), or the trailer after the last chunk.
      const pending = Buffer.concat([this.pending, chunk.subarray(at)]);
      const terminator = this.state === 'chunk-size' ? /^(\r\n)?[0-9a-fA-F]+[^\r]*\r\n/ : null;
      let end: number;
      if (terminator) {
        const match = terminator.exec(pending.toString('latin1', 0, Math.min(pending.length, 64)));
        end = match ? match[0].length : -1;
      } else {
        const index = pending.indexOf(this.state === 'trailer' ? '\r\n' : '\r\n\r\n');
        end = index < 0 ? -1 : index + (this.state === 'trailer' ? 2 : 4);
      }
      if (end < 0) {
        this.pending = pending;
        break;
      }
      const part = pending.subarray(0, end);
      at += part.length - this.pending.length;
      this.pending = Buffer.alloc(0);
      if (this.state === 'chunk-size') {
        const size = parseInt(part.toString('latin1').trim(), 16);
        this.bodyLeft = size;
        this.state = size === 0 ? 'trailer' : 'chunk-data';
      } else if (this.state === 'trailer') {
        // An empty line ends the message; any other line is a trailer field.
        if (part.length === 2) this.state = 'head';
      } else {
        const fault = this.startMessage(part.toString('latin1'));
        if (fault?.kind === 'lose-answer') lost = fault;
        else if (fault && fault.kind !== 'flip') return { out: Buffer.concat(out), fault };
      }
      out.push(part);
    }
    return { out: Buffer.concat(out), fault: lost };
  }

  private startMessage(headers: string): Fault | undefined {
    const first = headers.slice(0, headers.indexOf('\r\n'));
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0);
    const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(headers);
    let hasBody: boolean;
    if (this.side === 'request') {
      const method = first.split(' ')[0];
      this.methods.push(method);
      hasBody = method === 'PUT' || method === 'POST';
    } else {
      const status = Number(first.split(' ')[1]);
      if (status === 100) return undefined; // 100 Continue: the final answer follows
      const method = this.methods.shift();
      if (method === 'HEAD' || status === 204 || status === 304) return undefined;
      hasBody = status === 200 || status === 206;
    }
    if (chunked) this.state = 'chunk-size';
    else if (length > 0) {
      this.state = 'body';
      this.bodyLeft = length;
    }
    const fault = this.faultFor(headers);
    if (fault?.kind === 'flip')
      this.flipAt = hasBody && length > 0 && !chunked ? Math.floor(length / 2) : -1;
    return fault;
  }
}
