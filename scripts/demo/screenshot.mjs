// A PNG of an n8n editor page in headless Chromium (Debian's), signed in, over the DevTools protocol.
// No browser-automation dependency: Node's own WebSocket speaks the protocol.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startProcess, stopProcess, waitFor } from '../../test/e2e/lib/proc.mjs';

/** Debian's Chromium (`apt-get install -y chromium`), headless, with nothing that calls out. */
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

/** An editor page in a headless Chromium, signed in as `owner`; `close()` ends the browser. */
export async function openEditor({ baseUrl, owner, width = 1600, height = 900 }) {
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
	let devtools;
	const close = async () => {
		devtools?.close();
		await stopProcess(browser);
		await rm(profile, { recursive: true, force: true });
	};
	try {
		const target = await waitFor(
			async () => {
				const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
				return targets.find((t) => t.type === 'page');
			},
			{ timeoutMs: 30_000, what: 'Chromium to open a page' },
		);
		devtools = await DevTools.connect(target.webSocketDebuggerUrl);
		await devtools.send('Page.enable');
		await devtools.send('Emulation.setDeviceMetricsOverride', {
			width,
			height,
			deviceScaleFactor: 1,
			mobile: false,
		});
		const page = new EditorPage(devtools, baseUrl, close);
		await page.navigate('/signin');
		await waitFor(async () => (await devtools.evaluate('document.readyState')) === 'complete', {
			what: 'the sign-in page',
		});
		const status = await devtools.evaluate(signInScript(owner));
		if (status !== 200) throw new Error(`sign-in answered HTTP ${status}`);
		return page;
	} catch (error) {
		await close();
		throw error;
	}
}

/** What the screenshot mode does in the editor: open a page, wait for an element, click, type, shoot. */
class EditorPage {
	constructor(devtools, baseUrl, close) {
		this.devtools = devtools;
		this.baseUrl = baseUrl;
		this.close = close;
	}

	async navigate(path) {
		await this.devtools.send('Page.navigate', { url: `${this.baseUrl}${path}` });
	}

	/** Opens a canvas page and waits until its nodes are drawn. */
	async openCanvas(path, settleMs = 2500) {
		await this.navigate(path);
		await this.waitFor(RENDERED, `the canvas of ${path}`);
		await delay(settleMs);
	}

	/** Waits until `expression` (page JavaScript) is truthy. */
	async waitFor(expression, what, timeoutMs = 60_000) {
		return await waitFor(async () => await this.devtools.evaluate(expression), { timeoutMs, what });
	}

	/**
	 * Clicks (or double-clicks) the centre of the first element matching `selector` whose text starts
	 * with `text` (when given), among those after the one whose text is `after` (when given); the
	 * last such element with `last`.
	 */
	async click(selector, { count = 1, text, after, last = false } = {}) {
		const box = await this.waitFor(
			`(() => { const all = [...document.querySelectorAll(${JSON.stringify(selector)})];
				const from = ${JSON.stringify(after ?? null)} === null ? 0 : all.findIndex((e) => e.textContent.trim() === ${JSON.stringify(after ?? null)}) + 1;
				const matching = from < 0 ? [] : all.slice(from)
					.filter((e) => ${JSON.stringify(text ?? null)} === null || e.textContent.trim().startsWith(${JSON.stringify(text ?? null)}));
				const e = matching.at(${last ? -1 : 0});
				if (!e) return null;
				const r = e.getBoundingClientRect(); return r.width > 0 ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null; })()`,
			`an element ${selector}${text ? ` "${text}"` : ''}`,
		);
		for (let click = 1; click <= count; click++) {
			for (const type of ['mousePressed', 'mouseReleased']) {
				await this.devtools.send('Input.dispatchMouseEvent', {
					type,
					x: box.x,
					y: box.y,
					button: 'left',
					clickCount: click,
				});
			}
		}
	}

	async type(text) {
		await this.devtools.send('Input.insertText', { text });
	}

	async key(key, code = key, keyCode = 0) {
		for (const type of ['keyDown', 'keyUp']) {
			await this.devtools.send('Input.dispatchKeyEvent', { type, key, code, windowsVirtualKeyCode: keyCode });
		}
	}

	async shot(file, settleMs = 1500) {
		await delay(settleMs);
		const { data } = await this.devtools.send('Page.captureScreenshot', { format: 'png' });
		await writeFile(file, Buffer.from(data, 'base64'));
	}
}

/** Opens `baseUrl + path` as `owner` and writes a PNG of the window to `file`. */
export async function takeScreenshot({ baseUrl, path, owner, file, width = 1600, height = 900, settleMs = 2500 }) {
	const page = await openEditor({ baseUrl, owner, width, height });
	try {
		await page.openCanvas(path, settleMs);
		await page.shot(file, 0);
	} finally {
		await page.close();
	}
}

/**
 * The README's screenshots, in the editor as a user sees it: the node panel found by a vendor name,
 * its actions per source, a node added from Cisco's Search action, the Slack example (`slack`), its
 * trigger after Fetch Test Event, and an output item of a Search (`search`: a finished execution of
 * the demo's search workflow). Nothing is saved. Resolves with the file names written in `dir`.
 */
export async function readmeScreenshots({ baseUrl, owner, dir, slack, search }) {
	await mkdir(dir, { recursive: true });
	const files = [];
	const shot = async (page, name) => {
		await page.shot(join(dir, name));
		files.push(name);
	};
	const session = async (body) => {
		const page = await openEditor({ baseUrl, owner, width: 1440, height: 810 });
		try {
			await body(page);
		} finally {
			await page.close();
		}
	};
	const dismissChecklist = (page) => page.click('[data-test-id="suggested-actions-close"]').catch(() => {});
	await session(async (page) => {
		await page.openCanvas('/workflow/demoSearchAll');
		await page.click('[data-test-id="node-creator-plus-button"]');
		await page.type('Carbon Black');
		await shot(page, 'node-panel-search.png');
		await page.click('[data-test-id="node-creator-item-name"]', { text: 'Audit Log' });
		await shot(page, 'node-panel-actions.png');
		await page.click('[data-test-id="item-iterator-item"]', {
			text: 'Search audit events',
			after: 'Cisco Secure Endpoint Actions',
		});
		await shot(page, 'node-from-cisco-action.png');
	});
	await session(async (page) => {
		await page.openCanvas(`/workflow/${slack.id}`);
		await dismissChecklist(page);
		await shot(page, 'slack-workflow.png');
		await page.openCanvas(`/workflow/${slack.id}/${slack.nodes[0].id}`);
		await page.click('button', { text: 'Fetch Test Event' });
		await page.waitFor(
			`[...document.querySelectorAll('*')].some((e) => e.children.length === 0 && /^\\d+ items?$/.test(e.textContent.trim()))`,
			'the test events in the output panel',
		);
		await page.click('label, button, span', { text: 'JSON', last: true }); // the output's JSON view
		await dismissChecklist(page);
		await shot(page, 'slack-trigger-test-event.png');
	});
	if (search) {
		await session(async (page) => {
			await page.openCanvas(`/workflow/${search.workflowId}/executions/${search.executionId}`);
			await page.click('[data-test-id="canvas-node"][data-node-name="Search Cisco Secure Endpoint"]', { count: 2 });
			await page.click('label, button, span', { text: 'JSON', last: true }); // the output's JSON view
			await shot(page, 'search-output-item.png');
		});
	}
	return files;
}
