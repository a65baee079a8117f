// The users page (admin): the same operations as authctl, through
// /api/users (docs/api.md). Refusals show webui's reason (the password
// policy, the last admin, ...).
import { ApiError, del, get, post } from './api.js';
import { fmtWhen } from './timefmt.js';
import { $, el, listOf } from './util.js';

const ROLES = ['viewer', 'user', 'manager', 'admin'];

export class UsersPage {
	constructor(me) {
		this.me = me;	// () => the logged-in user's name
		this.users = [];
		this.resetFor = null;
		$('user-add').addEventListener('submit', (ev) => {
			ev.preventDefault();
			this.add();
		});
	}

	say(ok, text) {
		const e = $('users-error');
		const o = $('users-ok');
		e.hidden = ok;
		o.hidden = !ok;
		(ok ? o : e).textContent = text;
	}

	async start() {
		await this.refresh();
	}

	stop() {
	}

	async refresh() {
		try {
			this.users = listOf(await get('/api/users'), 'users');
			this.render();
		} catch (e) {
			this.say(false, e.status === 403 ?
			    'Only an admin may manage users.' :
			    `Could not load users: ${e.message}`);
		}
	}

	render() {
		const tb = $('users-table').tBodies[0];
		const rows = [];
		for (const u of this.users) {
			rows.push(this.row(u));
			if (this.resetFor === u.name)
				rows.push(this.resetRow(u));
		}
		tb.replaceChildren(...rows);
	}

	row(u) {
		const self = u.name === this.me();
		const role = el('select', { 'aria-label': `Role of ${u.name}` },
		    ...ROLES.map((r) => el('option', { value: r,
		    selected: r === u.role }, r)));
		role.addEventListener('change', () => this.act(u,
		    `/api/users/${enc(u.name)}/role`, { role: role.value },
		    `${u.name} is now ${role.value}.`));
		const status = [];
		if (u.disabled)
			status.push(el('span', { class: 'state disabled' }, 'disabled'));
		if (u.locked)
			status.push(el('span', { class: 'state locked',
			    title: '100 failed logins in an hour; enable unlocks' },
			    'locked'));
		if (u.must_change)
			status.push(el('span', { class: 'state must_change',
			    title: 'Must change the password at the next login' },
			    'must change'));
		if (!status.length)
			status.push(el('span', { class: 'state active' }, 'active'));
		const b = (text, fn, title) => el('button', { type: 'button',
		    title, onclick: fn }, text);
		const actions = el('td', { class: 'actions' });
		if (u.disabled || u.locked) {
			actions.append(b('Enable', () => this.act(u,
			    `/api/users/${enc(u.name)}/enable`, {},
			    `${u.name} is enabled.`)));
		} else {
			actions.append(b('Disable', () => this.act(u,
			    `/api/users/${enc(u.name)}/disable`, {},
			    `${u.name} is disabled.`), 'Ends their sessions now'));
		}
		actions.append(b('Reset password', () => {
			this.resetFor = this.resetFor === u.name ? null : u.name;
			this.render();
			$('reset-pass')?.focus();
		}, 'Set a new password they must change at the next login'));
		actions.append(b('Delete', () => this.remove(u)));
		return el('tr', { dataset: { user: u.name } },
		    el('td', null, u.name, self ? el('span', { class: 'muted' },
		    ' (you)') : null),
		    el('td', null, role),
		    el('td', null, ...status),
		    el('td', null, u.last_login_ms ? fmtWhen(u.last_login_ms, false) :
		    'never'),
		    el('td', null, u.changed_ms ? fmtWhen(u.changed_ms, false) : '—'),
		    actions);
	}

	resetRow(u) {
		const input = el('input', { id: 'reset-pass', type: 'password',
		    autocomplete: 'new-password', 'aria-label':
		    `New password for ${u.name}` });
		const toggle = el('button', { type: 'button', class: 'pw-toggle',
		    'data-for': 'reset-pass', 'aria-pressed': 'false' }, 'Show');
		const form = el('form', { novalidate: true },
		    el('span', null, `New password for ${u.name}:`),
		    el('span', { class: 'pw' }, input, toggle),
		    el('button', { type: 'submit', class: 'primary' }, 'Set'),
		    el('button', { type: 'button', onclick: () => {
			    this.resetFor = null;
			    this.render();
		    } }, 'Cancel'));
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			const ok = await this.act(u,
			    `/api/users/${enc(u.name)}/password`,
			    { password: input.value }, `${u.name}'s password is ` +
			    'reset; they must change it at the next login.');
			if (ok)
				this.resetFor = null;
			input.value = '';
			this.render();
		});
		return el('tr', { class: 'reset-row' }, el('td', { colspan: '6' },
		    form));
	}

	async act(u, path, body, done) {
		try {
			await post(path, body);
			this.say(true, done);
			await this.refresh();
			return true;
		} catch (e) {
			this.say(false, `${u.name}: ${reason(e)}`);
			await this.refresh();
			return false;
		}
	}

	async remove(u) {
		// eslint-disable-next-line no-alert
		if (!confirm(`Delete the user ${u.name}? Their sessions and API ` +
		    'tokens end too.'))
			return;
		try {
			await del(`/api/users/${enc(u.name)}`);
			this.say(true, `${u.name} is deleted.`);
		} catch (e) {
			this.say(false, `${u.name}: ${reason(e)}`);
		}
		await this.refresh();
	}

	async add() {
		const name = $('add-name').value.trim();
		const role = $('add-role').value;
		const pass = $('add-pass');
		if (!name || !pass.value) {
			this.say(false, 'A name and a password are needed.');
			return;
		}
		try {
			await post('/api/users', { name, role, password: pass.value });
			this.say(true, `${name} is added as ${role}.`);
			$('add-name').value = '';
			pass.value = '';
		} catch (e) {
			this.say(false, `Not added: ${reason(e)}`);
		}
		await this.refresh();
	}
}

function enc(name) {
	return encodeURIComponent(name);
}

function reason(e) {
	if (e instanceof ApiError) {
		if (e.status === 403 && e.reason === 'csrf')
			return 'refused (reload the page)';
		return e.reason;
	}
	return String(e.message || e);
}
