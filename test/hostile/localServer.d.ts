// Types of localServer.js: just what the suites use of node:http (itself not importable here).
export type Recorded = { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: string };

/** The part of node's ServerResponse the suites use. */
export type Response = {
	statusCode: number;
	readonly destroyed: boolean;
	writeHead(status: number, headers?: Record<string, string | number>): unknown;
	write(chunk: string | Uint8Array, callback?: () => void): boolean;
	end(chunk?: string | Uint8Array): unknown;
	once(event: 'drain' | 'close', listener: () => void): unknown;
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

/** A readable body that yields `chunks` (then ends unless `end` is false); `pulled()` counts chunks read. */
export function bodyStream(
	chunks: Array<string | Uint8Array>,
	end?: boolean,
): NodeJS.ReadableStream & { pulled(): number; readonly destroyed: boolean };
