// Bundles the dashboard into one directory that webui serves as it is
// (TW_WEB_ROOT): index.html, app-HASH.js, app-HASH.css, favicon.svg.
// Hashed names let webui cache the assets; index.html itself is tiny.
//
//   node web/build.mjs --outdir build/web
//
// No CDN, no font, nothing external: every byte comes from web/src and
// web/node_modules. The page runs under a CSP without 'unsafe-inline',
// so index.html carries no inline script or style.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');

function usage() {
	console.error('usage: node web/build.mjs --outdir DIR [--dev]');
	process.exit(64);
}

let outdir = null;
let dev = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	if (argv[i] === '--outdir' && i + 1 < argv.length)
		outdir = argv[++i];
	else if (argv[i] === '--dev')
		dev = true;
	else
		usage();
}
if (!outdir)
	usage();
outdir = path.resolve(outdir);

// Build into a fresh temporary directory, then swap it in, so webui never
// serves a half-written bundle and stale hashed files do not pile up.
const tmp = outdir + '.tmp-' + process.pid;
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });

const result = await build({
	entryPoints: { app: path.join(src, 'main.js') },
	bundle: true,
	format: 'esm',
	target: ['chrome109', 'firefox115', 'safari16'],
	minify: !dev,
	sourcemap: dev ? 'linked' : false,
	legalComments: 'eof',
	outdir: tmp,
	entryNames: '[name]-[hash]',
	metafile: true,
	logLevel: 'warning',
	define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
});

function hashed(name, data) {
	const h = createHash('sha256').update(data).digest('hex').slice(0, 10);
	const ext = path.extname(name);
	return path.basename(name, ext) + '-' + h + ext;
}

let js = null;
for (const out of Object.keys(result.metafile.outputs)) {
	if (out.endsWith('.js'))
		js = path.basename(out);
}
if (!js)
	throw new Error('esbuild produced no .js');

const css = fs.readFileSync(path.join(src, 'style.css'));
const cssName = hashed('app.css', css);
fs.writeFileSync(path.join(tmp, cssName), css);
fs.copyFileSync(path.join(src, 'favicon.svg'), path.join(tmp, 'favicon.svg'));

// The licences of what the bundle contains, next to it.
const notices = [
	['lightweight-charts', ['LICENSE', 'NOTICE']],
];
let legal = '';
for (const [pkg, files] of notices) {
	for (const f of files) {
		const p = path.join(here, 'node_modules', pkg, f);
		if (fs.existsSync(p))
			legal += `==== ${pkg}/${f} ====\n` + fs.readFileSync(p, 'utf8') +
			    '\n';
	}
}
fs.writeFileSync(path.join(tmp, 'THIRD-PARTY-NOTICES.txt'), legal);

const html = fs.readFileSync(path.join(src, 'index.html'), 'utf8')
	.replaceAll('{{APP_JS}}', '/' + js)
	.replaceAll('{{APP_CSS}}', '/' + cssName);
if (html.includes('{{'))
	throw new Error('index.html: unreplaced placeholder');
fs.writeFileSync(path.join(tmp, 'index.html'), html);

// Swap: rename the old directory away, the new one in, then delete.
const old = outdir + '.old-' + process.pid;
if (fs.existsSync(outdir))
	fs.renameSync(outdir, old);
fs.renameSync(tmp, outdir);
fs.rmSync(old, { recursive: true, force: true });
console.log(`web: ${path.relative(process.cwd(), outdir) || '.'}/ ` +
    `index.html ${js} ${cssName}`);
