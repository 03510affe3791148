// Real local HTTP servers and body streams for the hostile-server suites (plain CommonJS: the
// node:http and node:stream imports are test-only and the package's lint forbids them in .ts).
const { createServer } = require('node:http');
const { Readable } = require('node:stream');
const { createGzip } = require('node:zlib');

/** A gzip file that inflates to `inflatedMb` MB of zeros, built 1 MB at a time (about 1 KB per MB). */
async function gzipBomb(inflatedMb) {
	const gzip = createGzip({ level: 9 });
	const out = [];
	gzip.on('data', (chunk) => out.push(chunk));
	const done = new Promise((resolve, reject) => {
		gzip.on('end', resolve);
		gzip.on('error', reject);
	});
	const megabyte = Buffer.alloc(1024 * 1024);
	for (let i = 0; i < inflatedMb; i++) {
		if (!gzip.write(megabyte)) await new Promise((resolve) => gzip.once('drain', resolve));
	}
	gzip.end();
	await done;
	return Buffer.concat(out);
}

/**
 * Samples this process's Buffer memory (arrayBuffers) every millisecond until `stop()`, which
 * returns the peak above the level when sampling began. A measurement, not a timing: the test
 * asserts a bound on bytes held, never on how long anything took.
 */
function sampleMemory() {
	const base = process.memoryUsage().arrayBuffers;
	let peak = base;
	const take = () => {
		peak = Math.max(peak, process.memoryUsage().arrayBuffers);
	};
	const timer = setInterval(take, 1);
	return {
		stop() {
			take();
			clearInterval(timer);
			return peak - base;
		},
	};
}

/** Writes `totalBytes` of `fill` to a response in 64 KB chunks, honouring backpressure; stops when the client goes. Resolves with the bytes written. */
async function streamBytes(res, totalBytes, fill = 0x20) {
	const chunk = Buffer.alloc(64 * 1024, fill);
	let written = 0;
	let closed = false;
	res.once('close', () => (closed = true));
	while (written < totalBytes && !closed && !res.destroyed) {
		const ok = res.write(chunk);
		written += chunk.length;
		// Yield after every chunk, so a client hanging up is seen (a write to a gone socket may not push back).
		if (ok) await new Promise((resolve) => setImmediate(resolve));
		else {
			await new Promise((resolve) => {
				const done = () => {
					res.off('drain', done);
					res.off('close', done);
					resolve();
				};
				res.on('drain', done);
				res.on('close', done);
			});
		}
	}
	if (!res.destroyed) res.end();
	return written;
}

/** A body stream as n8n hands it over with `encoding: 'stream'`: these chunks, then the end (or not). */
function bodyStream(chunks, end = true) {
	let pulled = 0;
	const stream = new Readable({
		read() {
			if (pulled < chunks.length) this.push(chunks[pulled++]);
			else if (end instanceof Error) setImmediate(() => stream.destroy(end));
			else if (end) this.push(null);
		},
	});
	stream.pulled = () => pulled;
	return stream;
}

/** Starts a server on 127.0.0.1 at a random port; every request is recorded before `handler` runs. */
async function startServer(handler) {
	const requests = [];
	const sockets = new Set();
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const recorded = {
				method: req.method ?? '',
				path: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			requests.push(recorded);
			Promise.resolve(handler(recorded, res)).catch((error) => {
				res.statusCode = 599;
				res.end(String(error && error.message));
			});
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		origin: `http://127.0.0.1:${port}`,
		host: `127.0.0.1:${port}`,
		requests,
		openSockets: () => sockets.size,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

module.exports = { startServer, bodyStream, gzipBomb, sampleMemory, streamBytes };
