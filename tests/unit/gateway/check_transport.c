/*
 * Unit tests: remote file names, error classification, backoff bounds,
 * fingerprints, the transfer records and their state machine
 * (gateway/transfer.c, gateway/remote.c, gateway/transport.c), and a
 * send pass that must refuse to start without a reachable, verified bank.
 */
#include "tests/unit/testutil.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/audit.h"
#include "common/fsutil.h"
#include "gateway/home.h"
#include "gateway/remote.h"
#include "gateway/transfer.h"
#include "gateway/transport.h"

static const struct {
	const char	*name;
	int		 ok;
} names[] = {
	{ "B20240126001.xml", 1 }, { "a", 1 }, { "A-b_c.d.p7s", 1 },
	{ "ret.2024-01-26.txt", 1 }, { "", 0 }, { ".", 0 }, { "..", 0 },
	{ ".hidden", 0 }, { "../etc/passwd", 0 }, { "a/b", 0 }, { "a b", 0 },
	{ "a\\b", 0 }, { "a;b", 0 }, { "a\nb", 0 }, { "\xe5\x9b\x9e.txt", 0 },
	{ "name%2f", 0 }, { "C:x", 0 }, { "*", 0 },
};

START_TEST(test_names)
{
	ck_assert_msg(transfer_name_is_valid(names[_i].name) == names[_i].ok,
	    "'%s'", names[_i].name);
}
END_TEST

START_TEST(test_name_length)
{
	char buf[TRANSFER_NAME_MAX + 2];

	memset(buf, 'x', sizeof(buf));
	buf[TRANSFER_NAME_MAX] = '\0';
	ck_assert_int_eq(transfer_name_is_valid(buf), 1);
	buf[TRANSFER_NAME_MAX] = 'x';
	buf[TRANSFER_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(transfer_name_is_valid(buf), 0);
}
END_TEST

static const struct {
	int	 curl;
	long	 http;
	int	 want;
} classes[] = {
	{ CURLE_OK, 0, 0 }, { CURLE_OK, 200, 0 }, { CURLE_OK, 201, 0 },
	{ CURLE_OK, 204, 0 },
	/* transient: connect, timeout, dropped, 5xx, 408, 429 */
	{ CURLE_COULDNT_CONNECT, 0, GW_ENET },
	{ CURLE_OPERATION_TIMEDOUT, 0, GW_ENET },
	{ CURLE_SEND_ERROR, 0, GW_ENET }, { CURLE_RECV_ERROR, 0, GW_ENET },
	{ CURLE_GOT_NOTHING, 0, GW_ENET }, { CURLE_PARTIAL_FILE, 0, GW_ENET },
	{ CURLE_SSH, 0, GW_ENET }, { CURLE_OK, 500, GW_ENET },
	{ CURLE_OK, 503, GW_ENET }, { CURLE_OK, 408, GW_ENET },
	{ CURLE_OK, 429, GW_ENET },
	/* never retried */
	{ CURLE_LOGIN_DENIED, 0, GW_EAUTH },
	{ CURLE_PEER_FAILED_VERIFICATION, 0, GW_EAUTH },
	{ CURLE_SSL_PINNEDPUBKEYNOTMATCH, 0, GW_EAUTH },
	{ CURLE_SSL_CONNECT_ERROR, 0, GW_EAUTH },
	{ CURLE_OK, 401, GW_EAUTH }, { CURLE_OK, 403, GW_EAUTH },
	{ CURLE_SSL_CERTPROBLEM, 0, GW_EKEY },
	{ CURLE_SSL_CACERT_BADFILE, 0, GW_EKEY },
	{ CURLE_REMOTE_FILE_NOT_FOUND, 0, GW_ENOTFOUND },
	{ CURLE_OK, 404, GW_ENOTFOUND }, { CURLE_OK, 409, GW_EDUP },
	{ CURLE_OK, 400, GW_EENV }, { CURLE_QUOTE_ERROR, 0, GW_EENV },
	{ CURLE_URL_MALFORMAT, 0, GW_EENV },
};

START_TEST(test_classify)
{
	int got = remote_classify(classes[_i].curl, classes[_i].http);

	ck_assert_msg(got == classes[_i].want, "curl %d http %ld: got %d want %d",
	    classes[_i].curl, classes[_i].http, got, classes[_i].want);
	ck_assert_int_eq(remote_is_transient(got), classes[_i].want == GW_ENET);
}
END_TEST

START_TEST(test_backoff_bounds)
{
	uint32_t rnds[] = { 0, 1, 7, 12345, 0x7fffffff, 0xffffffffu };
	int n;
	size_t i;

	for (n = 1; n <= 40; n++) {
		int64_t step = 100;
		int k;

		for (k = 1; k < n && step < 5000; k++)
			step *= 2;
		if (step > 5000)
			step = 5000;
		for (i = 0; i < sizeof(rnds) / sizeof(rnds[0]); i++) {
			int64_t d = transport_backoff_ms(n, 100, 5000, rnds[i]);

			ck_assert_msg(d >= step - step / 2 && d <= step,
			    "n=%d rnd=%u: %lld not in [%lld, %lld]", n,
			    rnds[i], (long long)d, (long long)(step - step / 2),
			    (long long)step);
		}
	}
	/* The floor grows: attempt 4 never waits less than attempt 1 can. */
	ck_assert_int_gt(transport_backoff_ms(4, 100, 5000, 0),
	    transport_backoff_ms(1, 100, 5000, 0xffffffffu));
	/* Jitter: different random draws give different delays. */
	ck_assert_int_ne(transport_backoff_ms(3, 1000, 60000, 1),
	    transport_backoff_ms(3, 1000, 60000, 977));
	/* A huge attempt count does not overflow past the cap. */
	ck_assert_int_le(transport_backoff_ms(10000, 1000, 60000, 99), 60000);
}
END_TEST

START_TEST(test_fingerprint)
{
	const char *b64 = NULL;

	ck_assert_int_eq(remote_fingerprint_ok(
	    "SHA256:ozqQtqA7ZcSJqm7SyGMfZj99h6Y89SkBqQyP3JFU3Aw", &b64), 1);
	ck_assert_str_eq(b64, "ozqQtqA7ZcSJqm7SyGMfZj99h6Y89SkBqQyP3JFU3Aw");
	ck_assert_int_eq(remote_fingerprint_ok(
	    "ozqQtqA7ZcSJqm7SyGMfZj99h6Y89SkBqQyP3JFU3Aw=", NULL), 1);
	ck_assert_int_eq(remote_fingerprint_ok(
	    "ozqQtqA7ZcSJqm7SyGMfZj99h6Y89SkBqQyP3JFU3A", NULL), 0);
	ck_assert_int_eq(remote_fingerprint_ok(
	    "MD5:ozqQtqA7ZcSJqm7SyGMfZj99h6Y89SkBqQyP3JFU3Aw", NULL), 0);
	ck_assert_int_eq(remote_fingerprint_ok(
	    "ozqQtqA7ZcSJqm7SyGMfZj99h6Y89SkBqQyP3JFU3A!", NULL), 0);
	ck_assert_int_eq(remote_fingerprint_ok("", NULL), 0);
}
END_TEST

START_TEST(test_move_noreplace)
{
	struct gw_err e = GW_ERR_INIT;
	char *d = tu_tmpdir(), *a, *b, *c, *sub, *in_sub, *text = NULL;

	ck_assert_ptr_nonnull(d);
	a = tu_write(d, "a", "first");
	c = tu_write(d, "c", "other");
	b = tu_path(d, "b");
	sub = tu_path(d, "sub");
	ck_assert_int_eq(mkdir(sub, 0750), 0);
	in_sub = tu_path(sub, "a");
	/* Into another folder of the same file system. */
	ck_assert_int_eq(fs_move_noreplace(a, in_sub, &e), 0);
	ck_assert_int_eq(fs_exists(a), 0);
	ck_assert_int_eq(fs_read_small(&text, NULL, in_sub, 100, &e), 0);
	ck_assert_str_eq(text, "first");
	free(text);
	/* Never over an existing file: both stay as they were. */
	ck_assert_int_eq(fs_move_noreplace(c, in_sub, &e), GW_EDUP);
	ck_assert_ptr_nonnull(strstr(e.msg, "already exists"));
	ck_assert_int_eq(fs_exists(c), 1);
	ck_assert_int_eq(fs_read_small(&text, NULL, in_sub, 100, &e), 0);
	ck_assert_str_eq(text, "first");
	free(text);
	gw_err_clear(&e);
	ck_assert_int_eq(fs_move_noreplace(b, in_sub, &e), GW_EIO);
	free(a);
	free(b);
	free(c);
	free(sub);
	free(in_sub);
	tu_tmpdir_free(d);
}
END_TEST

/* ---- records -------------------------------------------------------- */

static char *dir;
static struct db *db;

static void
db_setup(void)
{
	struct gw_err e = GW_ERR_INIT;
	char *p;

	dir = tu_tmpdir();
	ck_assert_ptr_nonnull(dir);
	p = tu_path(dir, "t.db");
	ck_assert_msg(store_open(&db, p, &e) == 0, "%s", e.msg);
	free(p);
}

static void
db_teardown(void)
{
	db_close(db);
	db = NULL;
	tu_tmpdir_free(dir);
	dir = NULL;
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

START_TEST(test_upload_row_once)
{
	struct gw_err e = GW_ERR_INIT;
	struct transfer t, u;

	ck_assert_int_eq(transfer_upload_row(db, "ICBC", "B1.xml", "/o/B1.xml",
	    10, SHA_A, &t, &e), 0);
	ck_assert_str_eq(t.state, "pending");
	ck_assert_int_eq(t.attempts, 0);
	ck_assert_int_eq(t.sends, 1);
	ck_assert_int_eq(transfer_upload_row(db, "ICBC", "B1.xml", "/x/y", 99,
	    SHA_A, &u, &e), 1);
	ck_assert_int_eq(u.id, t.id);
	ck_assert_str_eq(u.local_path, "/o/B1.xml");	/* the first one kept */
	/* Same name at another bank is another record. */
	ck_assert_int_eq(transfer_upload_row(db, "CCB", "B1.xml", "/o2", 10,
	    SHA_A, &u, &e), 0);
	ck_assert_int_ne(u.id, t.id);
	/* Without a bank, a name at two banks is ambiguous. */
	ck_assert_int_eq(transfer_find(db, NULL, "up", "B1.xml", &u, &e),
	    GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "--bank"));
}
END_TEST

START_TEST(test_upload_row_bad_name)
{
	struct gw_err e = GW_ERR_INIT;
	struct transfer t;

	ck_assert_int_eq(transfer_upload_row(db, "ICBC", "../x", "/o", 1, SHA_A,
	    &t, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a valid file name"));
}
END_TEST

START_TEST(test_download_row_name_and_size)
{
	struct gw_err e = GW_ERR_INIT;
	struct transfer t, u;

	ck_assert_int_eq(transfer_download_row(db, "ICBC", "R1.txt", 100,
	    "/in/R1.txt", &t, &e), 0);
	ck_assert_int_eq(transfer_download_row(db, "ICBC", "R1.txt", 100,
	    "/in/R1.txt", &u, &e), 1);
	ck_assert_int_eq(u.id, t.id);
	/* Same name, new size: a different file, its own record. */
	ck_assert_int_eq(transfer_download_row(db, "ICBC", "R1.txt", 101,
	    "/in/R1.txt", &u, &e), 0);
	ck_assert_int_ne(u.id, t.id);
}
END_TEST

START_TEST(test_state_machine)
{
	struct gw_err e = GW_ERR_INIT;
	struct transfer t;
	int64_t id;

	ck_assert_int_eq(transfer_upload_row(db, "ICBC", "B2.xml", "/o/B2.xml",
	    10, SHA_A, &t, &e), 0);
	id = t.id;
	/* done only from in_progress */
	ck_assert_int_eq(transfer_done(db, id, NULL, "u", &e), GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(e.msg, "is pending"));
	gw_err_clear(&e);
	ck_assert_int_eq(transfer_begin(db, id, &e), 0);
	ck_assert_int_eq(transfer_fail(db, id, "pending", "timeout", 1234, "u",
	    &e), 0);
	ck_assert_int_eq(transfer_get(db, id, &t, &e), 0);
	ck_assert_str_eq(t.state, "pending");
	ck_assert_str_eq(t.last_error, "timeout");
	ck_assert_int_eq(t.next_attempt_at, 1234);
	ck_assert_int_eq(t.attempts, 1);
	ck_assert_int_eq(transfer_begin(db, id, &e), 0);
	ck_assert_int_eq(transfer_done(db, id, NULL, "u", &e), 0);
	ck_assert_int_eq(transfer_get(db, id, &t, &e), 0);
	ck_assert_str_eq(t.state, "done");
	ck_assert_int_eq(t.attempts, 2);
	ck_assert_str_eq(t.last_error, "");
	ck_assert_str_ne(t.done_at, "");
	/* A confirmed upload is never started again ... */
	ck_assert_int_eq(transfer_begin(db, id, &e), GW_ESTATE);
	gw_err_clear(&e);
	ck_assert_int_eq(transfer_fail(db, id, "failed", "x", 0, "u", &e),
	    GW_ESTATE);
	gw_err_clear(&e);
	/* ... except by an explicit resend, which counts and is audited. */
	ck_assert_int_eq(transfer_resend(db, id, "/a/B2.xml", "op", "lost", &e),
	    0);
	ck_assert_int_eq(transfer_get(db, id, &t, &e), 0);
	ck_assert_str_eq(t.state, "pending");
	ck_assert_int_eq(t.sends, 2);
	ck_assert_str_eq(t.local_path, "/a/B2.xml");
	ck_assert_str_eq(t.done_at, "");
	/* Bad target state is a programmer error. */
	ck_assert_int_eq(transfer_fail(db, id, "done", "x", 0, "u", &e),
	    GW_EUSAGE);
}
END_TEST

static int
count_audit(const char *action)
{
	static const char q[] = "SELECT count(*) FROM audit_events"
	    " WHERE entity = 'transfer' AND action = ?";
	struct gw_err e = GW_ERR_INIT;
	sqlite3_stmt *st = db_stmt(db, q, &e);
	int n;

	ck_assert_ptr_nonnull(st);
	sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

START_TEST(test_audit_events)
{
	struct gw_err e = GW_ERR_INIT;
	struct transfer t;
	int64_t bad = -1, n = 0;

	ck_assert_int_eq(transfer_upload_row(db, "ICBC", "B3.xml", "/o", 10,
	    SHA_A, &t, &e), 0);
	ck_assert_int_eq(transfer_begin(db, t.id, &e), 0);
	ck_assert_int_eq(transfer_fail(db, t.id, "needs_operator",
	    "host key refused", 0, "u", &e), 0);
	ck_assert_int_eq(count_audit("stop"), 1);
	ck_assert_int_eq(transfer_begin(db, t.id, &e), 0);
	ck_assert_int_eq(transfer_done(db, t.id, NULL, "u", &e), 0);
	ck_assert_int_eq(transfer_resend(db, t.id, "/o", "u", "lost", &e), 0);
	ck_assert_int_eq(count_audit("upload"), 1);
	ck_assert_int_eq(count_audit("resend"), 1);
	/* transient failures are not audit events (attempts are counted) */
	ck_assert_int_eq(transfer_begin(db, t.id, &e), 0);
	ck_assert_int_eq(transfer_fail(db, t.id, "pending", "t/o", 0, "u", &e),
	    0);
	ck_assert_int_eq(count_audit("stop"), 1);
	ck_assert_int_eq(audit_verify(db, &bad, &n, &e), 0);
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(test_remote_state)
{
	struct gw_err e = GW_ERR_INIT;
	struct transfer t;

	ck_assert_int_eq(transfer_download_row(db, "ICBC", "R2.txt", 5, "/in",
	    &t, &e), 0);
	ck_assert_str_eq(t.remote_state, "present");
	/* Only a fetched file can be cleaned up. */
	ck_assert_int_eq(transfer_set_remote_state(db, t.id, "deleted", "u",
	    &e), GW_ESTATE);
	gw_err_clear(&e);
	ck_assert_int_eq(transfer_begin(db, t.id, &e), 0);
	ck_assert_int_eq(transfer_done(db, t.id, SHA_A, "u", &e), 0);
	ck_assert_int_eq(transfer_set_remote_state(db, t.id, "cleanup", "u",
	    &e), 0);
	ck_assert_int_eq(transfer_set_remote_state(db, t.id, "bogus", "u", &e),
	    GW_EUSAGE);
	gw_err_clear(&e);
	ck_assert_int_eq(transfer_set_remote_state(db, t.id, "deleted", "u",
	    &e), 0);
	ck_assert_int_eq(transfer_get(db, t.id, &t, &e), 0);
	ck_assert_str_eq(t.remote_state, "deleted");
	ck_assert_str_eq(t.sha256, SHA_A);
	/* Uploads have no remote state to set. */
	ck_assert_int_eq(transfer_upload_row(db, "ICBC", "B4.xml", "/o", 10,
	    SHA_A, &t, &e), 0);
	ck_assert_int_eq(transfer_begin(db, t.id, &e), 0);
	ck_assert_int_eq(transfer_done(db, t.id, NULL, "u", &e), 0);
	ck_assert_int_eq(transfer_set_remote_state(db, t.id, "kept", "u", &e),
	    GW_ESTATE);
}
END_TEST

static int
count_cb(void *arg, const struct transfer *t)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

START_TEST(test_foreach_filter)
{
	struct gw_err e = GW_ERR_INIT;
	struct transfer_filter f;
	struct transfer t;
	int n = 0;

	ck_assert_int_eq(transfer_upload_row(db, "ICBC", "U1", "/o", 1, SHA_A,
	    &t, &e), 0);
	ck_assert_int_eq(transfer_upload_row(db, "CCB", "U2", "/o", 1, SHA_A,
	    &t, &e), 0);
	ck_assert_int_eq(transfer_download_row(db, "ICBC", "D1", 1, "/i", &t,
	    &e), 0);
	ck_assert_int_eq(transfer_foreach(db, NULL, count_cb, &n, &e), 0);
	ck_assert_int_eq(n, 3);
	memset(&f, 0, sizeof(f));
	f.bank = "ICBC";
	n = 0;
	ck_assert_int_eq(transfer_foreach(db, &f, count_cb, &n, &e), 0);
	ck_assert_int_eq(n, 2);
	f.direction = "down";
	n = 0;
	ck_assert_int_eq(transfer_foreach(db, &f, count_cb, &n, &e), 0);
	ck_assert_int_eq(n, 1);
	f.state = "done";
	n = 0;
	ck_assert_int_eq(transfer_foreach(db, &f, count_cb, &n, &e), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(transfer_state_is_valid("needs_operator"), 1);
	ck_assert_int_eq(transfer_state_is_valid("confirmed"), 0);
}
END_TEST

/* ---- passes that must not start ------------------------------------- */

static void
count_lines(void *arg, const char *line)
{
	(void)line;
	(*(int *)arg)++;
}

static void
write_home(const char *extra)
{
	struct gw_err e = GW_ERR_INIT;
	char *conf;
	FILE *fp;

	ck_assert_msg(home_init(dir, &e) == 0, "%s", e.msg);
	conf = tu_path(dir, "debitgw.conf");
	fp = fopen(conf, "a");
	ck_assert_ptr_nonnull(fp);
	fputs(extra, fp);
	fclose(fp);
	free(conf);
}

/* A fresh home whose bank T1 (SFTP to a closed port) has a signed file
 * waiting in its outbox. */
static void
t1_home(void)
{
	char *ob;

	dir = tu_tmpdir();
	write_home("[bank:T1]\nagent = X\nupload = sftp://u@127.0.0.1:1/in/\n"
	    "client_key = k\nhost_key_sha256 = "
	    "ozqQtqA7ZcSJqm7SyGMfZj99h6Y89SkBqQyP3JFU3Aw\n");
	ob = tu_path(dir, "outbox/T1");
	ck_assert_int_eq(mkdir(ob, 0750), 0);
	free(tu_write(ob, "F.xml", "data"));
	free(tu_write(ob, "F.xml.p7s", "sig"));
	free(ob);
}

START_TEST(test_pass_refuses_readable_key)
{
	struct gw_err e = GW_ERR_INIT;
	struct transport_opts o;
	struct transport_result r;
	struct home *h = NULL;
	char *key;
	int lines = 0;

	t1_home();
	key = tu_write(dir, "k", "not a key\n");
	chmod(key, 0644);
	ck_assert_msg(home_open(&h, dir, &e) == 0, "%s", e.msg);
	memset(&o, 0, sizeof(o));
	o.actor = "test";
	o.report = count_lines;
	o.report_arg = &lines;
	/* A world-readable private key is refused before any connection. */
	ck_assert_int_eq(transport_send_pass(h, &o, &r, &e), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(e.msg, "chmod 600"));
	ck_assert_int_eq(r.attempts, 1);
	ck_assert_int_eq(r.stopped, 1);
	ck_assert_int_eq(lines, 2);	/* stopped, and the bank's pass ends */
	home_close(h);
	free(key);
	tu_tmpdir_free(dir);
	dir = NULL;
}
END_TEST

START_TEST(test_pass_one_at_a_time)
{
	struct gw_err e = GW_ERR_INIT;
	struct transport_opts o;
	struct transport_result r;
	struct home *h = NULL;
	char *lock;
	int fd, lines = 0;

	t1_home();
	lock = tu_path(dir, "tmp/transport-T1.lock");
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_msg(home_open(&h, dir, &e) == 0, "%s", e.msg);
	memset(&o, 0, sizeof(o));
	o.report = count_lines;
	o.report_arg = &lines;
	/* Another pass holds the bank: nothing is tried, nothing recorded. */
	ck_assert_int_eq(transport_send_pass(h, &o, &r, &e), GW_EBUSY);
	ck_assert_ptr_nonnull(strstr(e.msg, "another transfer pass"));
	ck_assert_int_eq(r.attempts, 0);
	ck_assert_int_eq(transfer_find(h->db, "T1", "up", "F.xml", NULL, &e),
	    0);
	close(fd);
	home_close(h);
	free(lock);
	tu_tmpdir_free(dir);
	dir = NULL;
}
END_TEST

START_TEST(test_pass_unknown_bank)
{
	struct gw_err e = GW_ERR_INIT;
	struct transport_opts o;
	struct home *h = NULL;

	dir = tu_tmpdir();
	write_home("");
	ck_assert_msg(home_open(&h, dir, &e) == 0, "%s", e.msg);
	memset(&o, 0, sizeof(o));
	o.bank = "NOPE";
	ck_assert_int_eq(transport_fetch_pass(h, &o, NULL, &e), GW_EINPUT);
	gw_err_clear(&e);
	o.bank = "ICBC";	/* in the template, without a returns location */
	ck_assert_int_eq(transport_fetch_pass(h, &o, NULL, &e), GW_ECONFIG);
	home_close(h);
	tu_tmpdir_free(dir);
	dir = NULL;
}
END_TEST

START_TEST(test_config_requires_verification)
{
	struct gw_err e = GW_ERR_INIT;
	struct home *h = NULL;

	dir = tu_tmpdir();
	write_home("[bank:T2]\nagent = X\nupload = https://127.0.0.1:1/in/\n"
	    "client_key = k\nclient_cert = c\n"
	    "[bank:T3]\nagent = X\nreturns = ftp://x/\n");
	ck_assert_int_eq(home_open(&h, dir, &e), GW_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "set ca_file or pin_sha256"));
	ck_assert_ptr_nonnull(strstr(e.msg, "want sftp://"));
	tu_tmpdir_free(dir);
	dir = NULL;
}
END_TEST

static Suite *
transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc = tcase_create("pure");
	TCase *rec = tcase_create("records");
	TCase *pass = tcase_create("pass");

	tcase_add_loop_test(tc, test_names, 0, sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, test_name_length);
	tcase_add_loop_test(tc, test_classify, 0,
	    sizeof(classes) / sizeof(classes[0]));
	tcase_add_test(tc, test_backoff_bounds);
	tcase_add_test(tc, test_fingerprint);
	tcase_add_test(tc, test_move_noreplace);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(rec, db_setup, db_teardown);
	tcase_add_test(rec, test_upload_row_once);
	tcase_add_test(rec, test_upload_row_bad_name);
	tcase_add_test(rec, test_download_row_name_and_size);
	tcase_add_test(rec, test_state_machine);
	tcase_add_test(rec, test_audit_events);
	tcase_add_test(rec, test_remote_state);
	tcase_add_test(rec, test_foreach_filter);
	suite_add_tcase(s, rec);
	tcase_add_test(pass, test_pass_refuses_readable_key);
	tcase_add_test(pass, test_pass_one_at_a_time);
	tcase_add_test(pass, test_pass_unknown_bank);
	tcase_add_test(pass, test_config_requires_verification);
	suite_add_tcase(s, pass);
	return s;
}

GW_TEST_MAIN(transport_suite)
