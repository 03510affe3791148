// Types of localServer.js: just what the suites use of node:http (itself not importable here).
export type Recorded = { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: string };

/** The part of node's ServerResponse the suites use. */
export type Response = {
	statusCode: number;
	readonly destroyed: boolean;
	writeHead(status: number, headers?: Record<string, string | number>): unknown;
	write(chunk: string | Uint8Array, callback?: () => void): boolean;
	end(chunk?: string | Uint8Array): unknown;
	on(event: 'drain' | 'close', listener: () => void): unknown;
	once(event: 'drain' | 'close', listener: () => void): unknown;
	off(event: 'drain' | 'close', listener: () => void): unknown;
};

export type Handler = (req: Recorded, res: Response) => void | Promise<void>;

export type LocalServer = {
	/** `http://127.0.0.1:PORT`: two servers on different ports are different origins. */
	origin: string;
	host: string;
	requests: Recorded[];
	/** Open connections, so a test can see a stopped download end its socket. */
	openSockets(): number;
	close(): Promise<void>;
};

export function startServer(handler: Handler): Promise<LocalServer>;

/**
 * A readable body that yields `chunks` as they are read, then ends (`end` true), stays open (false),
 * or is destroyed with `end` (an Error: a connection lost mid-body); `pulled()` counts chunks read.
 */
export function bodyStream(
	chunks: Array<string | Uint8Array>,
	end?: boolean | Error,
): NodeJS.ReadableStream & { pulled(): number; readonly destroyed: boolean; destroy(error?: Error): void };

/** A gzip file that inflates to `inflatedMb` MB of zeros. */
export function gzipBomb(inflatedMb: number): Promise<Buffer>;

/** Samples Buffer memory until `stop()`, which returns the peak above the starting level, in bytes. */
export function sampleMemory(): { stop(): number };

/** Writes `totalBytes` to a response in 64 KB chunks with backpressure, stopping when the client goes; resolves with the bytes written. */
export function streamBytes(res: Response, totalBytes: number, fill?: number): Promise<number>;
