// Real local HTTP servers and body streams for the hostile-server suites (plain CommonJS: the
// node:http and node:stream imports are test-only and the package's lint forbids them in .ts).
const { createServer } = require('node:http');
const { Readable } = require('node:stream');

/** A body stream as n8n hands it over with `encoding: 'stream'`: these chunks, then the end (or not). */
function bodyStream(chunks, end = true) {
	let pulled = 0;
	const stream = new Readable({
		read() {
			if (pulled < chunks.length) this.push(chunks[pulled++]);
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

module.exports = { startServer, bodyStream };
