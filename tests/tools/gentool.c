/*
 * gentool.c - deterministic test data for tests, benchmarks and the demo.
 *
 *   gentool mandates N [--seed S] [--bad-line L --bad KIND] [--banks A,B]
 *                      [--new-only | --migrated-only]
 *   gentool assessments N [--seed S] [--year Y] [--monthly M | --month M]
 *                      [--first K] [--all-due] [--bad-line L --bad KIND]
 *   gentool accounts N [--seed S] [--insufficient P] [--frozen P]
 *                      [--closed P] [--abnormal P] [--lost P] [--name P]
 *                      [--unknown P] [--counts]
 *   gentool port       print a free TCP port on 127.0.0.1
 *
 * Mandate rows carry valid identifiers (GB 11643 check characters, Luhn
 * card numbers, GB 32100 unit codes). Every 7th row is migrated, every
 * 11th a unit member; some names need CSV quoting and every 97th holds a
 * CJK Extension B character that GBK cannot carry. --bad-line L (the
 * header is line 1) plants one defect: check, utf8, control, duplicate,
 * bank, column.
 *
 * Assessment rows are for the same payers as `mandates N` with the same
 * seed (payer i has the same ID and category), one row per payer and
 * period: annual (YYYY) or, with --monthly M, months 1..M of the year,
 * or with --month M that month only. --first K starts at payer K (payers
 * K..N-1), so a test can assess a second group of payers later.
 * --all-due: no exemptions and no full subsidies (every row is a debit).
 * Amounts follow the init template's tariffs (adult 430, minor and student
 * 300, exempt 0); every 13th payer has a 100.00 subsidy, every 17th a full
 * one, every 19th is late, every 23rd a newborn; exempt payers carry an
 * exemption certificate. Defects: payer, amount, period, duplicate,
 * tariff, exemption.
 *
 * Account rows are the bank simulator's fixture (docs/bank-simulator.md)
 * for the same payers: each payer's account with an outcome mix in
 * percent, drawn per payer from seed and row (see accounts() below).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/strnum.h"
#include "formats/csv.h"
#include "mandates/ident.h"

static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄",
    "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林" };
static const char *given[] = { "伟", "芳", "娜", "秀", "英", "敏", "静", "丽",
    "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞" };
static const int provinces[] = { 11, 12, 13, 31, 32, 33, 44, 45, 51, 61 };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

/* A resident ID unique for n < 10^9: area and sequence encode n. */
static void
make_id(char out[19], long long n)
{
	int prov = provinces[n % 10];
	long long k = n / 10;
	int y = 1940 + (int)(k % 80), m = 1 + (int)(k / 80 % 12);
	int d = 1 + (int)(k / 960 % 28);
	long long rest = k / 26880;	/* 80*12*28 */

	snprintf(out, 19, "%02u%04u%04u%02u%02u%03u", (unsigned)prov % 100u,
	    (unsigned)(rest / 1000 % 10000), (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)(rest % 1000));
	out[17] = ident_gb11643_check(out);
	out[18] = '\0';
}

static void
make_uscc(char out[19], long long n)
{
	static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25,
	    13, 8, 24, 10, 30, 28 };
	int i, sum = 0;

	snprintf(out, 19, "51442000MJ%07lld", n % 10000000);
	for (i = 0; i < 17; i++)
		sum += (int)(strchr(cs, out[i]) - cs) * w[i];
	out[17] = cs[(31 - sum % 31) % 31];
	out[18] = '\0';
}

static void
make_card(char out[20], long long n)
{
	int i, sum = 0, dbl = 1;

	snprintf(out, 20, "6222%014lld", n % 100000000000000LL);
	for (i = 17; i >= 0; i--) {
		int v = out[i] - '0';

		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	out[18] = (char)('0' + (10 - sum % 10) % 10);
	out[19] = '\0';
}

/*
 * Payer i of `mandates N --seed S`: the same for every subcommand, as
 * long as rows are made in order 0, 1, 2 ... after rng_state = seed.
 */
struct payer {
	char		 id[19], unit[19], acct[24], name[64], aname[64];
	const char	*kind;
};

static void
payer_row(struct payer *p, int64_t seed, int64_t i)
{
	static const char *kinds[] = { "card", "passbook", "corporate" };
	int64_t key = seed * 100000000LL + i;

	make_id(p->id, key);
	snprintf(p->name, sizeof(p->name), "%s%s%s",
	    surnames[rnd(NELEM(surnames))], given[rnd(NELEM(given))],
	    given[rnd(NELEM(given))]);
	if (i % 97 == 5)	/* U+20000, CJK Extension B: not in GBK */
		snprintf(p->name + 3, sizeof(p->name) - 3, "\xF0\xA0\x80\x80");
	if (i % 53 == 3)
		memcpy(p->name + strlen(p->name), ",\"Jr\"", 6);
	p->kind = i % 11 == 0 ? "corporate" : kinds[i % 3];
	if (strcmp(p->kind, "card") == 0)
		make_card(p->acct, key);
	else
		snprintf(p->acct, sizeof(p->acct), "4400%014llu",
		    (unsigned long long)key % 100000000000000ULL);
	p->unit[0] = '\0';
	if (i % 11 == 0)
		make_uscc(p->unit, i / 50);
	snprintf(p->aname, sizeof(p->aname), "%s", p->unit[0] ?
	    "中山市某村民委员会" : p->name);
}

static int
mandates(int argc, char **argv)
{
	int64_t n = 0, seed = 1, bad_line = 0, i;
	const char *bad = "check", *banks_arg = "ICBC,CCB,BOC";
	char *banks[16], *save = NULL, *b, bankbuf[256];
	int nbanks = 0, new_only = 0, a;
	struct gw_err e = GW_ERR_INIT;

	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
			strnum_i64(&seed, argv[++a], 0, 1000, "seed", &e);
		else if (strcmp(argv[a], "--bad-line") == 0 && a + 1 < argc)
			strnum_i64(&bad_line, argv[++a], 2, 1LL << 40, "line", &e);
		else if (strcmp(argv[a], "--bad") == 0 && a + 1 < argc)
			bad = argv[++a];
		else if (strcmp(argv[a], "--banks") == 0 && a + 1 < argc)
			banks_arg = argv[++a];
		else if (strcmp(argv[a], "--new-only") == 0)
			new_only = 1;
		else if (strcmp(argv[a], "--migrated-only") == 0)
			new_only = -1;
		else if (strnum_i64(&n, argv[a], 0, 100000000, "N", &e) != 0)
			break;
	}
	if (e.code) {
		fprintf(stderr, "gentool: %s\n", e.msg);
		return 2;
	}
	snprintf(bankbuf, sizeof(bankbuf), "%s", banks_arg);
	for (b = strtok_r(bankbuf, ",", &save); b && nbanks < 16;
	    b = strtok_r(NULL, ",", &save))
		banks[nbanks++] = b;
	rng_state = (unsigned long long)seed;
	if (bad_line > 0 && strcmp(bad, "column") == 0)
		fputs("payer_id_type,payer_id,payer_name,category,region,"
		    "bank_code,account_no,account_name,account_kind,signed_on,"
		    "origin,phone\r\n", stdout);
	else
		fputs("payer_id_type,payer_id,payer_name,category,region,"
		    "bank_code,account_no,account_name,account_kind,unit_code,"
		    "signed_on,origin,phone\r\n", stdout);
	for (i = 0; i < n; i++) {
		static const char *cats[] = { "adult", "adult", "minor",
		    "student", "exempt" };
		static const char *regions[] = { "442000", "442001", "442002" };
		struct payer p;
		char phone[16], signed_on[11];
		const char *bank = banks[i % nbanks], *origin;
		int64_t line = i + 2;
		const char *fields[13];

		payer_row(&p, seed, i);
		/* --migrated-only: every mandate active at once (runs, benches). */
		origin = new_only < 0 || (i % 7 == 0 && !new_only) ? "migrated" :
		    "new";
		snprintf(signed_on, sizeof(signed_on), "2020-%02u-%02u",
		    (unsigned)(1 + i % 12), (unsigned)(1 + i % 28));
		snprintf(phone, sizeof(phone), "139%08u",
		    (unsigned)(i % 100000000));
		if (line == bad_line) {
			if (strcmp(bad, "check") == 0)
				p.id[17] = p.id[17] == '0' ? '1' : '0';
			else if (strcmp(bad, "utf8") == 0)
				snprintf(p.name, sizeof(p.name), "\xE5\xBC\xA0\xFF");
			else if (strcmp(bad, "control") == 0)
				snprintf(p.name, sizeof(p.name), "\xE5\xBC\xA0\a");
			else if (strcmp(bad, "duplicate") == 0) {
				make_id(p.id, seed * 100000000LL);
				origin = "migrated";
			} else if (strcmp(bad, "bank") == 0)
				bank = "NOSUCH";
		}
		fields[0] = "resident"; fields[1] = p.id; fields[2] = p.name;
		fields[3] = cats[i % 5]; fields[4] = regions[i % 3];
		fields[5] = bank; fields[6] = p.acct; fields[7] = p.aname;
		fields[8] = p.kind; fields[9] = p.unit; fields[10] = signed_on;
		fields[11] = origin; fields[12] = phone;
		if (bad_line > 0 && strcmp(bad, "column") == 0) {
			memmove(&fields[9], &fields[10], 3 * sizeof(char *));
			csv_write_row(stdout, fields, 12);
		} else
			csv_write_row(stdout, fields, 13);
	}
	return fflush(stdout) == 0 ? 0 : 3;
}

static int
assessments(int argc, char **argv)
{
	static const char *cats[] = { "adult", "adult", "minor", "student",
	    "exempt" };
	static const char *fen[] = { "430.00", "430.00", "300.00", "300.00",
	    "0.00" };
	int64_t n = 0, seed = 1, bad_line = 0, year = 2025, months = 0, i, k;
	int64_t only = 0, first = 0;
	int all_due = 0;
	int64_t line = 1;
	const char *bad = "payer";
	struct gw_err e = GW_ERR_INIT;
	int a;

	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
			strnum_i64(&seed, argv[++a], 0, 1000, "seed", &e);
		else if (strcmp(argv[a], "--year") == 0 && a + 1 < argc)
			strnum_i64(&year, argv[++a], 2000, 2199, "year", &e);
		else if (strcmp(argv[a], "--monthly") == 0 && a + 1 < argc)
			strnum_i64(&months, argv[++a], 1, 12, "months", &e);
		else if (strcmp(argv[a], "--month") == 0 && a + 1 < argc) {
			strnum_i64(&only, argv[++a], 1, 12, "month", &e);
			months = only;
		} else if (strcmp(argv[a], "--first") == 0 && a + 1 < argc)
			strnum_i64(&first, argv[++a], 0, 100000000, "first", &e);
		else if (strcmp(argv[a], "--all-due") == 0)
			all_due = 1;
		else if (strcmp(argv[a], "--bad-line") == 0 && a + 1 < argc)
			strnum_i64(&bad_line, argv[++a], 2, 1LL << 40, "line", &e);
		else if (strcmp(argv[a], "--bad") == 0 && a + 1 < argc)
			bad = argv[++a];
		else if (strnum_i64(&n, argv[a], 0, 100000000, "N", &e) != 0)
			break;
	}
	if (e.code) {
		fprintf(stderr, "gentool: %s\n", e.msg);
		return 2;
	}
	fputs("payer_id,period,amount,subsidy,category,exemption_type,"
	    "exemption_cert,exemption_valid_until,late,newborn\r\n", stdout);
	for (k = only ? only - 1 : 0; k < (months ? months : 1); k++)
		for (i = first; i < n; i++) {
			char id[19], period[8], until[11] = "", cert[24] = "";
			const char *amount = fen[i % 5], *subsidy = "0.00";
			const char *cat = cats[i % 5];

			if (all_due && i % 5 == 4) {
				amount = "430.00";
				cat = "adult";
			}
			const char *ex = "", *late = i % 19 == 7 ? "1" : "0";
			const char *fields[10];

			line++;
			make_id(id, seed * 100000000LL + i);
			if (months)
				snprintf(period, sizeof(period), "%04u-%02u",
				    (unsigned)year % 10000u,
				    (unsigned)(k + 1) % 100u);
			else
				snprintf(period, sizeof(period), "%04u",
				    (unsigned)year % 10000u);
			if (i % 5 == 4 && !all_due) {
				ex = "低保";
				snprintf(cert, sizeof(cert), "MZ%08u",
				    (unsigned)(i % 100000000));
				snprintf(until, sizeof(until), "%04u-12-31",
				    (unsigned)year % 10000u);
			} else if (i % 17 == 3 && !all_due)
				subsidy = amount;
			else if (i % 13 == 5)
				subsidy = "100.00";
			if (line == bad_line) {
				if (strcmp(bad, "payer") == 0)
					id[17] = id[17] == '0' ? '1' : '0';
				else if (strcmp(bad, "amount") == 0)
					amount = "430.001";
				else if (strcmp(bad, "period") == 0)
					snprintf(period, sizeof(period),
					    "%04u-13", (unsigned)year % 10000u);
				else if (strcmp(bad, "duplicate") == 0)
					make_id(id, seed * 100000000LL);
				else if (strcmp(bad, "tariff") == 0)
					amount = "431.00";
				else if (strcmp(bad, "exemption") == 0) {
					ex = "低保";
					cert[0] = '\0';
				}
			}
			fields[0] = id; fields[1] = period; fields[2] = amount;
			fields[3] = subsidy; fields[4] = cat;
			fields[5] = ex; fields[6] = cert; fields[7] = until;
			fields[8] = late; fields[9] = i % 23 == 11 ? "1" : "0";
			csv_write_row(stdout, fields, 10);
		}
	return fflush(stdout) == 0 ? 0 : 3;
}

/*
 * The bank's accounts for the payers of `mandates N --seed S`: one row
 * per payer's account, with an outcome drawn per payer from a hash of
 * seed and row (so the mix is the same on every run and for every N
 * prefix): --insufficient P, --frozen P, --closed P, --abnormal P,
 * --lost P, --name P, --unknown P are percentages, the rest ok with an
 * ample balance. An insufficient account holds 10.00, less than any
 * premium owed; a name mismatch has the holder's name changed; an
 * unknown account is left out. --counts prints, instead of the CSV,
 * "OUTCOME ALL OWING": per outcome, over all payers and over those that
 * `assessments N` makes owe something (not exempt, not fully subsidised).
 */
static const char *const outcomes[] = { "ok", "insufficient", "frozen",
    "closed", "abnormal", "lost", "name", "unknown" };
#define NOUTCOMES (sizeof(outcomes) / sizeof(outcomes[0]))

static unsigned
mix(int64_t seed, int64_t i)
{
	uint64_t z = (uint64_t)(seed * 100000000LL + i) + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return (unsigned)((z ^ (z >> 31)) % 100);
}

static int
accounts(int argc, char **argv)
{
	int64_t n = 0, seed = 1, i, pct[NOUTCOMES] = { 0 };
	int64_t all[NOUTCOMES] = { 0 }, owing[NOUTCOMES] = { 0 };
	struct gw_err e = GW_ERR_INIT;
	size_t k;
	int a, counts = 0, total = 0;

	for (a = 0; a < argc && e.code == 0; a++) {
		for (k = 1; k < NOUTCOMES; k++)
			if (argv[a][0] == '-' && argv[a][1] == '-' &&
			    strcmp(argv[a] + 2, outcomes[k]) == 0)
				break;
		if (k < NOUTCOMES && a + 1 < argc) {
			strnum_i64(&pct[k], argv[a + 1], 0, 100, argv[a], &e);
			a++;
		} else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
			strnum_i64(&seed, argv[++a], 0, 1000, "seed", &e);
		else if (strcmp(argv[a], "--counts") == 0)
			counts = 1;
		else
			strnum_i64(&n, argv[a], 0, 100000000, "N", &e);
	}
	for (k = 1; k < NOUTCOMES; k++)
		total += (int)pct[k];
	if (e.code == 0 && total > 100)
		gw_err_set(&e, GW_EUSAGE, "the percentages add up to %d", total);
	if (e.code) {
		fprintf(stderr, "gentool: %s\n", e.msg);
		return 2;
	}
	rng_state = (unsigned long long)seed;
	if (!counts)
		fputs("account_no,name,balance,status\r\n", stdout);
	for (i = 0; i < n; i++) {
		struct payer p;
		unsigned r = mix(seed, i), edge = 0;
		const char *row[4], *st;
		char name[80];

		payer_row(&p, seed, i);
		for (k = 1; k < NOUTCOMES; k++) {
			edge += (unsigned)pct[k];
			if (r < edge)
				break;
		}
		if (k == NOUTCOMES)
			k = 0;
		all[k]++;
		/* As `assessments`: exempt, or a full subsidy, owes nothing. */
		owing[k] += i % 5 != 4 && i % 17 != 3;
		if (counts || strcmp(outcomes[k], "unknown") == 0)
			continue;
		st = k >= 2 && k <= 5 ? outcomes[k] : "ok";
		snprintf(name, sizeof(name), "%s%s", p.aname,
		    strcmp(outcomes[k], "name") == 0 ? "之" : "");
		row[0] = p.acct;
		row[1] = name;
		row[2] = strcmp(outcomes[k], "insufficient") == 0 ? "10.00" :
		    "100000.00";
		row[3] = st;
		csv_write_row(stdout, row, 4);
	}
	for (k = 0; counts && k < NOUTCOMES; k++)
		printf("%s %lld %lld\n", outcomes[k], (long long)all[k],
		    (long long)owing[k]);
	return fflush(stdout) == 0 ? 0 : 3;
}

static int
port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		return 3;
	printf("%d\n", ntohs(sa.sin_port));
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "mandates") == 0)
		return mandates(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "assessments") == 0)
		return assessments(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "accounts") == 0)
		return accounts(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "port") == 0)
		return port();
	fprintf(stderr, "usage: gentool mandates N [options] | gentool "
	    "assessments N [options] | gentool accounts N [options] | "
	    "gentool port\n");
	return 2;
}
