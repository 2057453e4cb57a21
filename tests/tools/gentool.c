/*
 * gentool.c - deterministic test data for tests, benchmarks and the demo.
 *
 *   gentool mandates N [--seed S] [--bad-line L --bad KIND] [--banks A,B]
 *                      [--new-only | --migrated-only]
 *   gentool assessments N [--seed S] [--year Y] [--monthly M | --month M]
 *                      [--first K] [--all-due] [--bad-line L --bad KIND]
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
		static const char *kinds[] = { "card", "passbook", "corporate" };
		static const char *regions[] = { "442000", "442001", "442002" };
		char id[19], unit[19] = "", acct[24], name[64], aname[64];
		char phone[16], signed_on[11];
		const char *kind, *bank = banks[i % nbanks], *origin;
		int64_t line = i + 2, key = seed * 100000000LL + i;
		const char *fields[13];

		make_id(id, key);
		snprintf(name, sizeof(name), "%s%s%s", surnames[rnd(NELEM(surnames))],
		    given[rnd(NELEM(given))], given[rnd(NELEM(given))]);
		if (i % 97 == 5)	/* U+20000, CJK Extension B: not in GBK */
			snprintf(name + 3, sizeof(name) - 3, "\xF0\xA0\x80\x80");
		if (i % 53 == 3)
			memcpy(name + strlen(name), ",\"Jr\"", 6);
		kind = i % 11 == 0 ? "corporate" : kinds[i % 3];
		if (strcmp(kind, "card") == 0)
			make_card(acct, key);
		else
			snprintf(acct, sizeof(acct), "4400%014llu",
			    (unsigned long long)key % 100000000000000ULL);
		if (i % 11 == 0)
			make_uscc(unit, i / 50);
		snprintf(aname, sizeof(aname), "%s", unit[0] ?
		    "中山市某村民委员会" : name);
		/* --migrated-only: every mandate active at once (runs, benches). */
		origin = new_only < 0 || (i % 7 == 0 && !new_only) ? "migrated" :
		    "new";
		snprintf(signed_on, sizeof(signed_on), "2020-%02u-%02u",
		    (unsigned)(1 + i % 12), (unsigned)(1 + i % 28));
		snprintf(phone, sizeof(phone), "139%08u",
		    (unsigned)(i % 100000000));
		if (line == bad_line) {
			if (strcmp(bad, "check") == 0)
				id[17] = id[17] == '0' ? '1' : '0';
			else if (strcmp(bad, "utf8") == 0)
				snprintf(name, sizeof(name), "\xE5\xBC\xA0\xFF");
			else if (strcmp(bad, "control") == 0)
				snprintf(name, sizeof(name), "\xE5\xBC\xA0\a");
			else if (strcmp(bad, "duplicate") == 0) {
				make_id(id, seed * 100000000LL);
				origin = "migrated";
			} else if (strcmp(bad, "bank") == 0)
				bank = "NOSUCH";
		}
		fields[0] = "resident"; fields[1] = id; fields[2] = name;
		fields[3] = cats[i % 5]; fields[4] = regions[i % 3];
		fields[5] = bank; fields[6] = acct; fields[7] = aname;
		fields[8] = kind; fields[9] = unit; fields[10] = signed_on;
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
	if (argc >= 2 && strcmp(argv[1], "port") == 0)
		return port();
	fprintf(stderr, "usage: gentool mandates N [options] | gentool "
	    "assessments N [options] | gentool port\n");
	return 2;
}
