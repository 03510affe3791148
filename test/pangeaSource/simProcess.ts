// The vendor simulator in a child process (jest cannot load its ES modules), driven over HTTP.
// The simulator is test-only code: these imports never reach the package.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { spawn } from 'node:child_process';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { once } from 'node:events';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { createInterface } from 'node:readline';
import type { IDataObject } from 'n8n-workflow';

export type SimProcess = {
	url: string;
	urls: { pangea: string };
	credentials: { pangea: { token: string } };
	/** POSTs a control call (e.g. /_sim/events, /pangea/_hostile/rewrite); throws unless 200. */
	control(path: string, body: IDataObject): Promise<IDataObject>;
	stop(): Promise<void>;
};

/** Starts `node test/simulator/cli.mjs --json …args` and reads its start-up line. */
export async function startSimProcess(args: string[]): Promise<SimProcess> {
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals
	const child = spawn(process.execPath, ['test/simulator/cli.mjs', '--json', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
	const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
	const info = JSON.parse(line) as Omit<SimProcess, 'control' | 'stop'>;
	return {
		...info,
		control: async (path, body) => {
			const answer = await fetch(`${info.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
			if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
			return (await answer.json()) as IDataObject;
		},
		stop: async () => {
			child.kill();
			await once(child, 'exit');
		},
	};
}
