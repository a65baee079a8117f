/*
 * webui: the HTTPS server of tapewatch (DESIGN.md "HTTP API", docs/api.md,
 * docs/security.md): logins and sessions, the JSON API, the dashboard's
 * files, /metrics, /healthz and the /live WebSocket.
 *
 *   options -> certificate -> signals -> auth.db, lws context, live side,
 *   vhost, worker pool -> serve until SIGINT/SIGTERM -> stop workers,
 *   close connections -> exit 0
 *
 * Where things live:
 *   server.c  lws callbacks, bodies, writing   pool.c     workers, health
 *   lwsreq.c  requests out of lws               livegate.c who may open /live
 *   api*.c    routing, auth, the handlers       live.c     bus and /live
 *   route.c csrf.c creds.c query.c static.c chunked.c csv.c jsonw.c: pure
 *   tlscert.c the self-signed certificate       options.c  options
 */
#include <sys/stat.h>

#include "log.h"
#include "options.h"
#include "server.h"
#include "sigfd.h"
#include "tlscert.h"

/* The certificate: made on first start unless one was given. */
static void
certificate(const struct webui_options *o)
{
	char err[512], fp[128];
	int made = 0;

	if (o->plain_http) {
		log_warnx("serving plain HTTP (--plain-http): put an HTTPS "
		    "reverse proxy in front, cookies are marked Secure");
		return;
	}
	if (o->tls_generate && tlscert_ensure(o->tls_cert, o->tls_key, &made,
	    err, sizeof(err)) == -1)
		fatalx("tls certificate: %s", err);
	if (tlscert_fingerprint(o->tls_cert, fp, sizeof(fp)) == -1)
		fatalx("tls certificate %s: cannot read it", o->tls_cert);
	log_info("tls certificate %s%s sha256=%s", o->tls_cert,
	    made ? " (made now, self-signed)" : "", fp);
}

int
main(int argc, char *argv[])
{
	struct webui_options	 opt;
	static struct server	 s;
	int			 rc;

	log_init("webui");
	if ((rc = webui_options_load(&opt, argc, argv)) != 0)
		return rc;		/* the loader said why */
	umask(077);			/* the key, auth.db: 0600 */
	certificate(&opt);
	s.sigfd = sigfd_open();		/* before any thread starts */
	server_open(&s, &opt);		/* auth.db, lws, live, workers */

	server_run(&s);			/* until SIGINT or SIGTERM */

	server_close(&s);		/* workers end their jobs, then lws */
	webui_options_free(&opt);
	log_info("exiting");
	return 0;
}
