#!/usr/bin/env python3
"""Lint an archive with Copydesk on Apache Spark.

Reads articles from JSON Lines (plain or .gz), Parquet, or WARC files (HTML responses), runs
`copydesk lint --records jsonl -` on each partition (the binary shipped to the executors with
`--files`), and writes:

  OUTPUT/findings/   Parquet, one row per finding: id, partition_line, rule, category, severity,
                     field, line, column, end_line, end_column, offset, end_offset, match,
                     message (partition_line: the record's place in its partition)
  OUTPUT/errors/     Parquet, one row per record that could not be read (id, partition_line, message)
  OUTPUT/counts/     Parquet, findings per category (category, findings, records)
  OUTPUT/_copydesk_stats.json   records, findings, errors, seconds inside copydesk, records/s

Spans (line, column, offset) are relative to the field the finding is in (`field`: the text or
html field, or the title), columns in Unicode code points, lines 1-based.

  spark-submit --master local[2] --files /path/to/copydesk \\
      integrations/spark/copydesk_spark.py --input articles.jsonl.gz --output out/

Options mirror `copydesk lint --records`: --id-field, --text-field, --title-field, --html-field.
WARC input needs `fastwarc` or `warcio` (PyPI) on the executors.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description="Lint an archive with copydesk on Spark.")
    p.add_argument("--input", required=True, action="append",
                   help="input path or glob (any Hadoop file system); repeatable")
    p.add_argument("--input-format", choices=["jsonl", "parquet", "warc"], default=None,
                   help="default: from the first input's name (.parquet, .warc/.warc.gz, else jsonl)")
    p.add_argument("--output", required=True, help="output directory (overwritten)")
    p.add_argument("--binary", default="copydesk",
                   help="the copydesk executable: a name shipped with --files (default), or a path "
                        "that exists on every executor")
    p.add_argument("--id-field", default="id")
    p.add_argument("--text-field", default="text")
    p.add_argument("--title-field", default="title")
    p.add_argument("--html-field", default="html")
    p.add_argument("--partitions", type=int, default=0,
                   help="repartition the records to N partitions first (0: keep the input's)")
    p.add_argument("--rules", default=None,
                   help="a rules folder present on every executor (default: the built-in rules)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads per copydesk process (default 1: Spark runs one task per core)")
    return p.parse_args(argv)


# --- reading ---------------------------------------------------------------------------------

def warc_records(payload, id_field, html_field):
    """JSON lines {id: target URI, html: page} for every HTML response in one WARC file's bytes."""
    import io
    stream = io.BytesIO(payload)
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType  # type: ignore
        for rec in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
            ctype = (rec.http_headers.get("Content-Type") or "") if rec.http_headers else ""
            if "html" not in ctype.lower():
                continue
            body = rec.reader.read()
            yield json.dumps({id_field: rec.headers.get("WARC-Target-URI"),
                              html_field: decode_html(body, ctype)}, ensure_ascii=False)
        return
    except ImportError:
        pass
    from warcio.archiveiterator import ArchiveIterator  # type: ignore
    for rec in ArchiveIterator(stream):
        if rec.rec_type != "response":
            continue
        ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else ""
        if "html" not in (ctype or "").lower():
            continue
        body = rec.content_stream().read()
        yield json.dumps({id_field: rec.rec_headers.get_header("WARC-Target-URI"),
                          html_field: decode_html(body, ctype or "")}, ensure_ascii=False)


def decode_html(body, ctype):
    charset = "utf-8"
    for part in ctype.split(";"):
        part = part.strip()
        if part.lower().startswith("charset="):
            charset = part.split("=", 1)[1].strip().strip('"') or "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def input_lines(spark, args):
    """An RDD of JSON Lines records (strings), one article each."""
    fmt = args.input_format
    first = args.input[0].lower()
    if fmt is None:
        fmt = "parquet" if first.endswith(".parquet") or "parquet" in first.rsplit("/", 1)[-1] \
            else "warc" if ".warc" in first else "jsonl"
    sc = spark.sparkContext
    if fmt == "jsonl":
        # The lines as they are: copydesk reads the fields (and reports a bad line by number).
        return sc.textFile(",".join(args.input))
    if fmt == "parquet":
        df = spark.read.parquet(*args.input)
        wanted = [f for f in (args.id_field, args.title_field, args.text_field, args.html_field) if f in df.columns]
        return df.select(*wanted).toJSON()
    id_field, html_field = args.id_field, args.html_field
    files = sc.binaryFiles(",".join(args.input))
    return files.flatMap(lambda kv: warc_records(kv[1], id_field, html_field))


# --- linting ---------------------------------------------------------------------------------

def copydesk_command(args):
    from pyspark import SparkFiles
    binary = args.binary
    if os.sep not in binary:
        # Shipped with --files: in the task's working directory (YARN, Kubernetes) or in
        # SparkFiles' root (local and standalone mode).
        for candidate in (os.path.join(os.getcwd(), binary), SparkFiles.get(binary)):
            if os.path.exists(candidate):
                binary = candidate
                break
        else:
            binary = shutil.which(binary) or binary
    if not os.access(binary, os.X_OK):
        try:
            os.chmod(binary, 0o755)
        except OSError:
            pass
    cmd = [binary, "lint", "--records", "jsonl", "--format", "jsonl", "--fail-on", "never",
           "--id-field", args.id_field, "--text-field", args.text_field,
           "--title-field", args.title_field, "--html-field", args.html_field]
    if args.rules:
        cmd += ["--rules", args.rules]
    cmd.append("-")
    return cmd


def lint_partition(args):
    """mapPartitions function: pipes the partition's records through one copydesk process and
    yields its output lines (parsed), then one ("stats", …) tuple."""
    def run(lines):
        cmd = copydesk_command(args)
        env = dict(os.environ)
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, bufsize=1 << 20)
        failure = []

        def feed():
            try:
                for line in lines:
                    data = line.encode("utf-8", errors="surrogateescape") if isinstance(line, str) else line
                    proc.stdin.write(data.replace(b"\n", b" ") + b"\n")
                proc.stdin.close()
            except BrokenPipeError:
                pass
            except Exception as e:  # reading the input failed: end copydesk, report it
                failure.append(e)
                try:
                    proc.stdin.close()
                except Exception:
                    pass

        errs = []
        err_reader = threading.Thread(target=lambda: errs.append(proc.stderr.read()), daemon=True)
        err_reader.start()
        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        summary = None
        for raw in proc.stdout:
            obj = json.loads(raw)
            if obj.get("type") == "summary":
                summary = obj
                continue
            yield ("record", obj)
        writer.join()
        code = proc.wait()
        err_reader.join()
        if failure:
            raise failure[0]
        # 0: done; 2: some records could not be read (they are in the output as errors).
        if code not in (0, 2) or summary is None:
            raise RuntimeError("copydesk exited with %s: %s" % (code, (errs[0] if errs else b"").decode("utf-8", "replace")[-2000:]))
        yield ("stats", {"records": summary["records"], "findings": summary["findings"],
                         "errors": summary["errors"], "seconds": time.monotonic() - started})
    return run


def id_text(value):
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def finding_rows(item):
    kind, obj = item
    if kind != "record":
        return []
    rid = id_text(obj.get("id"))
    rows = []
    for f in obj["findings"]:
        s, e = f["span"]["start"], f["span"]["end"]
        rows.append((rid, obj["line"], f["rule"], f["category"], f["severity"], f["field"],
                     s["line"], s["column"], e["line"], e["column"], s["offset"], e["offset"],
                     f["match"], f["message"]))
    return rows


def error_rows(item):
    kind, obj = item
    if kind != "record":
        return []
    return [(id_text(obj.get("id")), obj["line"], e["message"]) for e in obj["errors"]]


def main(argv):
    args = parse_args(argv)
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType
    from pyspark import StorageLevel

    spark = SparkSession.builder.appName("copydesk").getOrCreate()
    lines = input_lines(spark, args)
    if args.partitions > 0:
        lines = lines.repartition(args.partitions)
    linted = lines.mapPartitions(lint_partition(args))
    # Linted once, read three times (findings, errors, stats).
    linted.persist(StorageLevel.MEMORY_AND_DISK)

    started = time.monotonic()
    findings_schema = StructType([
        StructField("id", StringType()), StructField("partition_line", LongType()),
        StructField("rule", StringType()), StructField("category", StringType()),
        StructField("severity", StringType()), StructField("field", StringType()),
        StructField("line", IntegerType()), StructField("column", IntegerType()),
        StructField("end_line", IntegerType()), StructField("end_column", IntegerType()),
        StructField("offset", LongType()), StructField("end_offset", LongType()),
        StructField("match", StringType()), StructField("message", StringType()),
    ])
    findings = spark.createDataFrame(linted.flatMap(finding_rows), findings_schema)
    findings.write.mode("overwrite").parquet(os.path.join(args.output, "findings"))

    errors_schema = StructType([StructField("id", StringType()), StructField("partition_line", LongType()),
                                StructField("message", StringType())])
    spark.createDataFrame(linted.flatMap(error_rows), errors_schema) \
        .write.mode("overwrite").parquet(os.path.join(args.output, "errors"))

    stats = linted.filter(lambda kv: kv[0] == "stats").map(lambda kv: kv[1]).collect()
    wall = time.monotonic() - started
    counts = spark.read.parquet(os.path.join(args.output, "findings")) \
        .groupBy("category").agg(F.count("*").alias("findings"), F.countDistinct("id").alias("records")) \
        .orderBy("category")
    counts.write.mode("overwrite").parquet(os.path.join(args.output, "counts"))

    total = {k: sum(s[k] for s in stats) for k in ("records", "findings", "errors", "seconds")}
    total["partitions"] = len(stats)
    total["wall_seconds"] = wall
    total["records_per_second_per_process"] = total["records"] / total["seconds"] if total["seconds"] else None
    total["records_per_second_wall"] = total["records"] / wall if wall else None
    summary = json.dumps(total, indent=2, sort_keys=True)
    print("copydesk_spark: " + summary.replace("\n", "\n  "))
    for row in counts.collect():
        print("copydesk_spark: %-12s %8d findings in %d records" % (row["category"], row["findings"], row["records"]))
    # The stats file next to the Parquet folders (local file systems; elsewhere it is printed).
    if "://" not in args.output or args.output.startswith("file:"):
        path = args.output.replace("file://", "")
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "_copydesk_stats.json"), "w") as fh:
            fh.write(summary + "\n")
    linted.unpersist()
    spark.stop()
    return 0 if total["errors"] == 0 else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
