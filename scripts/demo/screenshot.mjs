// A PNG of an n8n editor page in headless Chromium (Debian's), signed in, over the DevTools protocol.
// No browser-automation dependency: Node's own WebSocket speaks the protocol.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startProcess, stopProcess, waitFor } from '../../test/e2e/lib/proc.mjs';

/** Debian's Chromium, flags as /work/.library/env/machines/node.md: nothing may call out. */
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--hide-scrollbars',
];

class DevTools {
	static async connect(url) {
		const socket = new WebSocket(url);
		await new Promise((resolve, reject) => {
			socket.addEventListener('open', resolve, { once: true });
			socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), {
				once: true,
			});
		});
		return new DevTools(socket);
	}

	constructor(socket) {
		this.socket = socket;
		this.nextId = 0;
		this.pending = new Map();
		socket.addEventListener('message', (event) => {
			const message = JSON.parse(event.data);
			const waiter = this.pending.get(message.id);
			if (!waiter) return;
			this.pending.delete(message.id);
			if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
			else waiter.resolve(message.result);
		});
	}

	send(method, params = {}) {
		const id = ++this.nextId;
		this.socket.send(JSON.stringify({ id, method, params }));
		return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
	}

	/** Evaluates an expression in the page; resolves with its (awaited) JSON value. */
	async evaluate(expression) {
		const { result, exceptionDetails } = await this.send('Runtime.evaluate', {
			expression,
			awaitPromise: true,
			returnByValue: true,
		});
		if (exceptionDetails)
			throw new Error(
				`page script failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`,
			);
		return result.value;
	}

	close() {
		this.socket.close();
	}
}

/** Signs in the way the editor does: same browser id in localStorage and header, so the cookie holds. */
const signInScript = (owner) => `(async () => {
	let id = localStorage.getItem('n8n-browserId');
	if (!id) { id = crypto.randomUUID(); localStorage.setItem('n8n-browserId', id); }
	const response = await fetch('/rest/login', {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': id },
		body: JSON.stringify({ emailOrLdapLoginId: ${JSON.stringify(owner.email)}, password: ${JSON.stringify(owner.password)} }),
	});
	return response.status;
})()`;

/** Canvas nodes drawn, and no spinner left: the execution view has rendered. */
const RENDERED = `document.querySelectorAll('[data-test-id="canvas-node"]').length`;

/**
 * Opens `baseUrl + path` as `owner` and writes a PNG of the window to `file`.
 * `chromium` is /usr/bin/chromium unless CHROMIUM_BIN says otherwise.
 */
export async function takeScreenshot({
	baseUrl,
	path,
	owner,
	file,
	width = 1600,
	height = 900,
	settleMs = 2500,
}) {
	const profile = await mkdtemp(join(tmpdir(), 'audit-log-chromium-'));
	const port = await freePort();
	const browser = startProcess(
		process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
		[
			...CHROMIUM_FLAGS,
			`--user-data-dir=${profile}`,
			`--remote-debugging-port=${port}`,
			`--window-size=${width},${height}`,
			'about:blank',
		],
		{ env: process.env, logFile: join(profile, 'chromium.log') },
	);
	let page;
	try {
		const target = await waitFor(
			async () => {
				const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
				return targets.find((t) => t.type === 'page');
			},
			{ timeoutMs: 30_000, what: 'Chromium to open a page' },
		);
		page = await DevTools.connect(target.webSocketDebuggerUrl);
		await page.send('Page.enable');
		await page.send('Emulation.setDeviceMetricsOverride', {
			width,
			height,
			deviceScaleFactor: 1,
			mobile: false,
		});
		await page.send('Page.navigate', { url: `${baseUrl}/signin` });
		await waitFor(async () => (await page.evaluate('document.readyState')) === 'complete', {
			what: 'the sign-in page',
		});
		const status = await page.evaluate(signInScript(owner));
		if (status !== 200) throw new Error(`sign-in answered HTTP ${status}`);
		await page.send('Page.navigate', { url: `${baseUrl}${path}` });
		await waitFor(async () => (await page.evaluate(RENDERED)) > 0, {
			timeoutMs: 60_000,
			what: `the canvas of ${path}`,
		});
		await delay(settleMs);
		const { data } = await page.send('Page.captureScreenshot', { format: 'png' });
		await writeFile(file, Buffer.from(data, 'base64'));
	} finally {
		page?.close();
		await stopProcess(browser);
		await rm(profile, { recursive: true, force: true });
	}
}
