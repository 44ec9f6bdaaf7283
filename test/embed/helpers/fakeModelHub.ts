import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A model hub on loopback with the public hub's URL layout: the JSON tree listing, `resolve`
 * URLs, and for LFS files a 302 to a "CDN" path on the same server. Behaviour switches let a
 * test cut, stall, corrupt or drop responses.
 */

export interface FakeRepoFile {
  name: string;
  content: Buffer;
  /** LFS files are listed with a sha256 and served through the CDN redirect. */
  lfs: boolean;
}

export interface FakeHubBehaviour {
  /** `absent`: the tree API answers 404. */
  listing?: 'present' | 'absent';
  /**
   * The first response body for this file stops after `afterBytes` and the socket is destroyed
   * once `beforeCut` resolves (a test waits there until the client has stored those bytes).
   */
  cutOnce?: { file: string; afterBytes: number; beforeCut?: () => Promise<void> };
  /** Answer 200 with the whole file even when a Range is asked for. */
  ignoreRange?: boolean;
  /** Send this file's headers, then nothing. */
  stall?: string;
  /** Serve this file with one byte changed while the listing keeps the true hash. */
  corrupt?: string;
  /** Files the repository does not have (404). */
  absent?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  range: string | undefined;
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The id git gives a blob: sha1 over `blob <size>\0` and the content. */
export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** The four files of a uform3 model directory, small, with random encoder bytes. */
export function makeRepoFiles(): FakeRepoFile[] {
  const config = { image_encoder: { image_size: 32 }, text_encoder: { max_position_embeddings: 16, padding_idx: 0 } };
  return [
    { name: 'config.json', content: Buffer.from(JSON.stringify(config, null, 2)), lfs: false },
    {
      name: 'tokenizer.json',
      content: Buffer.from(JSON.stringify({ version: '1.0', pad: randomBytes(2048).toString('hex') })),
      lfs: false,
    },
    { name: 'image_encoder.onnx', content: randomBytes(300_000), lfs: true },
    { name: 'text_encoder.onnx', content: randomBytes(120_000), lfs: true },
  ];
}

export class FakeModelHub {
  readonly requests: RecordedRequest[] = [];
  behaviour: FakeHubBehaviour;
  private cutDone = false;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly modelId: string,
    readonly files: readonly FakeRepoFile[],
    behaviour: FakeHubBehaviour,
  ) {
    this.behaviour = behaviour;
  }

  static async start(modelId: string, files: readonly FakeRepoFile[], behaviour: FakeHubBehaviour = {}): Promise<FakeModelHub> {
    // Requests arrive only once the server listens, by when `hub` is set.
    const server = http.createServer((req, res) => hub.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const hub = new FakeModelHub(server, `http://127.0.0.1:${port}`, modelId, files, behaviour);
    return hub;
  }

  file(name: string): FakeRepoFile {
    const found = this.files.find((f) => f.name === name);
    if (!found) throw new Error(`no fake file ${name}`);
    return found;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private present(): FakeRepoFile[] {
    return this.files.filter((f) => !(this.behaviour.absent ?? []).includes(f.name));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, range: req.headers.range });
    if (url.pathname === `/api/models/${this.modelId}/tree/main` && this.behaviour.listing !== 'absent') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.listing()));
      return;
    }
    const resolvePrefix = `/${this.modelId}/resolve/main/`;
    const byName = url.pathname.startsWith(resolvePrefix)
      ? this.present().find((f) => f.name === url.pathname.slice(resolvePrefix.length))
      : undefined;
    if (byName?.lfs) {
      const hash = sha256(byName.content);
      res
        .writeHead(302, {
          location: `/cdn/${hash}?name=${encodeURIComponent(byName.name)}`,
          'x-linked-etag': `"${hash}"`,
          'x-linked-size': String(byName.content.length),
          etag: `"${hash}"`,
        })
        .end();
      return;
    }
    if (byName) return this.serve(byName, req, res);
    const cdnFile = url.pathname.startsWith('/cdn/')
      ? this.present().find((f) => f.lfs && sha256(f.content) === url.pathname.slice('/cdn/'.length))
      : undefined;
    if (cdnFile) return this.serve(cdnFile, req, res);
    res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
  }

  private listing(): unknown[] {
    return [
      { type: 'file', path: '.gitattributes', size: 10, oid: gitBlobSha1(Buffer.from('*.onnx lfs')) },
      ...this.present().map((f) =>
        f.lfs
          ? {
              type: 'file',
              path: f.name,
              size: f.content.length,
              oid: gitBlobSha1(Buffer.from(`lfs pointer ${f.name}`)),
              lfs: { oid: sha256(f.content), size: f.content.length, pointerSize: 134 },
            }
          : { type: 'file', path: f.name, size: f.content.length, oid: gitBlobSha1(f.content) },
      ),
    ];
  }

  private serve(file: FakeRepoFile, req: http.IncomingMessage, res: http.ServerResponse): void {
    let content = file.content;
    if (this.behaviour.corrupt === file.name) {
      content = Buffer.from(content);
      content[0] = (content[0]! + 1) % 256;
    }
    if (this.behaviour.stall === file.name) {
      res.writeHead(200, { 'content-length': String(content.length) });
      res.flushHeaders();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range && !this.behaviour.ignoreRange) {
      start = Number(range[1]);
      if (start >= content.length) {
        res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-range': `bytes ${start}-${content.length - 1}/${content.length}`,
        'content-length': String(content.length - start),
        'accept-ranges': 'bytes',
      });
    } else {
      res.writeHead(200, { 'content-length': String(content.length), 'accept-ranges': 'bytes' });
    }
    const body = content.subarray(start);
    const cut = this.behaviour.cutOnce;
    if (cut?.file === file.name && !this.cutDone) {
      this.cutDone = true;
      res.write(body.subarray(0, cut.afterBytes), () => {
        void (cut.beforeCut?.() ?? Promise.resolve()).finally(() => res.socket?.destroy());
      });
      return;
    }
    res.end(body);
  }
}
