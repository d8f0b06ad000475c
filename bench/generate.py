"""Seeded generator of synthetic customer-journey logs for the benchmark.

    python bench/generate.py --events 1000000 --out bench/data/log_1m.parquet
    python bench/generate.py --events 10000000 --out bench/data/log_10m.parquet --csv bench/data/log_10m.csv

Writes a Parquet file with the columns ``customer_id`` (string), ``timestamp``
(TIMESTAMP WITH TIME ZONE, UTC, whole seconds), ``event`` (string) and ``channel``
(string), and the matching journey map ``map.yaml`` next to it (or at ``--map``).

The model (everything vectorised with numpy, one step of all customers at a time):
- 5 stages of 8 event names each (40 names, 38 touchpoints: two touchpoints match two
  names), plus 2 event names that no touchpoint matches (~2% of the events);
- each customer has 5 to 40 events (5 + a geometric number, so most journeys are short)
  and a furthest stage it can reach (funnel drop-offs);
- from one event to the next a customer stays in the stage (loops), moves forward, skips
  a stage or moves back;
- timestamps in whole seconds: ~12% of gaps are 0 s (equal timestamps), most are seconds
  to minutes, some hours, a few days;
- rows are written in global time order (as an export would be), not grouped by
  customer, so the analyses pay the real cost of sorting by (customer, time). Ties keep
  the generation order, which is each customer's intended order.

The same ``--seed`` and ``--events`` always give the same file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

STAGES = [
    ("awareness", "Awareness"),
    ("consideration", "Consideration"),
    ("purchase", "Purchase"),
    ("delivery", "Delivery & support"),
    ("loyalty", "Loyalty & advocacy"),
]
# (event name, touchpoint id, home channel); 8 event names per stage, in stage order.
EVENTS = [
    # awareness
    ("ad_click", "online_ad", "ads"),
    ("social_post_click", "social_post", "social"),
    ("newsletter_open", "newsletter", "email"),
    ("landing_page_view", "landing_page", "web"),
    ("search_result_click", "search", "web"),
    ("video_view", "video", "social"),
    ("partner_referral", "partner", "web"),
    ("store_window_scan", "store_window", "store"),
    # consideration
    ("product_view", "product_page", "web"),
    ("product_compare", "comparison", "web"),
    ("wishlist_add", "wishlist", "app"),
    ("store_visit", "store_visit", "store"),
    ("chat_question", "chat_advice", "chat"),
    ("review_read", "reviews", "web"),
    ("price_alert_set", "price_alert", "app"),
    ("catalog_download", "catalog", "web"),
    # purchase
    ("add_to_cart", "cart", "web"),
    ("cart_view", "cart", "web"),
    ("checkout_start", "checkout", "web"),
    ("delivery_options_view", "delivery_options", "web"),
    ("payment_start", "payment", "web"),
    ("order_paid", "order_paid", "web"),
    ("order_confirmation_email", "order_confirmation", "email"),
    ("promo_code_apply", "promo_code", "web"),
    # delivery
    ("order_prepared", "order_preparation", "web"),
    ("order_shipped", "delivery_tracking", "email"),
    ("order_delivered", "delivery_tracking", "email"),
    ("support_contact", "support", "phone"),
    ("return_request", "returns", "web"),
    ("refund_issued", "refund", "web"),
    ("installation_booked", "installation", "phone"),
    ("delivery_rating", "delivery_rating", "email"),
    # loyalty
    ("review_posted", "review", "web"),
    ("loyalty_signup", "loyalty_signup", "app"),
    ("loyalty_points_view", "loyalty_points", "app"),
    ("referral_share", "referral", "social"),
    ("repurchase_reminder_open", "repurchase_reminder", "email"),
    ("survey_answer", "survey", "email"),
    ("community_post", "community", "social"),
    ("gift_card_buy", "gift_card", "web"),
]
UNMAPPED = [("session_ping", "web"), ("cookie_consent", "web")]
CHANNELS = ["web", "app", "email", "social", "ads", "store", "phone", "chat"]
GOAL_EVENT = "order_paid"
PER_STAGE = 8
START = np.datetime64("2025-01-01T00:00:00", "s").astype(np.int64)
PERIOD_DAYS = 180


def write_map(path: Path) -> None:
    lines = [
        "# Journey map of the synthetic benchmark log (written by bench/generate.py).",
        "version: 1",
        "id: bench_retail",
        "name: Synthetic retail journey (benchmark)",
        "language: en",
        "stages:",
    ]
    lines += [f"  - {{id: {sid}, name: \"{name}\"}}" for sid, name in STAGES]
    lines.append("touchpoints:")
    by_tp: dict[str, list[str]] = {}
    info: dict[str, tuple[str, str]] = {}
    for i, (ev, tp, ch) in enumerate(EVENTS):
        by_tp.setdefault(tp, []).append(ev)
        info.setdefault(tp, (STAGES[i // PER_STAGE][0], ch))
    for tp, evs in by_tp.items():
        stage, ch = info[tp]
        match = evs[0] if len(evs) == 1 else "[" + ", ".join(evs) + "]"
        lines.append(f"  - {{id: {tp}, stage: {stage}, channel: {ch}, match: {{event: {match}}}}}")
    lines += ["goals:", f"  - {{id: purchase, name: Purchase, match: {{event: {GOAL_EVENT}}}}}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def generate(n_events: int, seed: int = 42) -> dict[str, np.ndarray]:
    """Arrays ``customer`` (int), ``t`` (epoch seconds), ``event`` (code), ``channel`` (code),
    in global time order."""
    rng = np.random.default_rng(seed)
    # Journey lengths: 5 + geometric (mean ~11), capped at 40.
    est = int(n_events / 15) + 1000
    lengths = np.minimum(5 + rng.geometric(1 / 12, size=est) - 1, 40)
    while lengths.sum() < n_events:  # (never for the default parameters, kept for safety)
        lengths = np.concatenate([lengths, np.minimum(5 + rng.geometric(1 / 12, size=est) - 1, 40)])
    cum = np.cumsum(lengths)
    n_cust = int(np.searchsorted(cum, n_events)) + 1
    lengths = lengths[:n_cust].copy()
    lengths[-1] -= int(cum[n_cust - 1] - n_events)  # exact total; the last journey may be shorter
    offsets = np.zeros(n_cust, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths)[:-1]

    # Furthest stage each customer can reach (funnel drop-off), and the starting stage.
    max_stage = rng.choice(5, size=n_cust, p=[0.28, 0.26, 0.20, 0.14, 0.12]).astype(np.int8)
    stage = rng.choice(3, size=n_cust, p=[0.86, 0.10, 0.04]).astype(np.int8)
    max_stage = np.maximum(max_stage, stage)
    t = START + rng.integers(0, PERIOD_DAYS * 86400, size=n_cust, dtype=np.int64)

    # Per-stage event choice: Zipf-like weights over the 8 names of the stage.
    w = 1.0 / np.arange(1, PER_STAGE + 1) ** 0.8
    cw = np.cumsum(w / w.sum())
    home = np.array([CHANNELS.index(ch) for _, _, ch in EVENTS] + [CHANNELS.index(ch) for _, ch in UNMAPPED],
                    dtype=np.int8)

    ev = np.empty(n_events, dtype=np.int8)
    ts = np.empty(n_events, dtype=np.int64)
    cust = np.empty(n_events, dtype=np.int32)
    ids = np.arange(n_cust, dtype=np.int32)
    for pos in range(int(lengths.max())):
        act = np.flatnonzero(lengths > pos)
        m = len(act)
        if pos:
            s, mx = stage[act], max_stage[act]
            u = rng.random(m)
            nxt = s.copy()
            fwd = (u >= 0.50) & (u < 0.80)
            skip = (u >= 0.80) & (u < 0.84)
            back = (u >= 0.84) & (u < 0.92)
            nxt[fwd] += 1
            nxt[skip] += 2
            nxt[back] -= 1
            nxt = np.where((nxt > mx) | (nxt < 0), s, nxt).astype(np.int8)
            stage[act] = nxt
            # Gaps: 12% ties, 63% seconds-minutes, 20% hours, 5% days.
            g = rng.random(m)
            gap = np.where(g < 0.12, 0,
                  np.where(g < 0.75, 1 + rng.exponential(45, m),
                  np.where(g < 0.95, 60 + rng.exponential(3600, m), 3600 + rng.exponential(3 * 86400, m))))
            t[act] += gap.astype(np.int64)
        e = stage[act].astype(np.int16) * PER_STAGE + np.searchsorted(cw, rng.random(m), side="right")
        e = np.minimum(e, stage[act].astype(np.int16) * PER_STAGE + PER_STAGE - 1)
        un = rng.random(m) < 0.02
        e[un] = len(EVENTS) + rng.integers(0, len(UNMAPPED), int(un.sum()))
        idx = offsets[act] + pos
        ev[idx] = e
        ts[idx] = t[act]
        cust[idx] = ids[act]
    # Channel: the touchpoint's home channel 80% of the time, else any channel.
    ch = home[ev]
    other = rng.random(n_events) >= 0.8
    ch[other] = rng.integers(0, len(CHANNELS), int(other.sum()))
    # Export order: global time order; ties keep the generation order.
    order = np.argsort(ts, kind="stable")
    # Customer ids are shuffled so that id order says nothing about time or file order.
    perm = rng.permutation(n_cust).astype(np.int32)
    return {"customer": perm[cust[order]], "t": ts[order], "event": ev[order], "channel": ch[order],
            "n_customers": np.array(n_cust)}


def to_arrow(arrays: dict[str, np.ndarray]):
    import pyarrow as pa

    n_cust = int(arrays["n_customers"])
    width = max(7, len(str(n_cust)))
    names = pa.array([f"C{i:0{width}d}" for i in range(n_cust)], type=pa.string())
    events = pa.array([e for e, _, _ in EVENTS] + [e for e, _ in UNMAPPED], type=pa.string())
    channels = pa.array(CHANNELS, type=pa.string())
    return pa.table({
        "customer_id": names.take(pa.array(arrays["customer"])),
        "timestamp": pa.array(arrays["t"] * 1_000_000, type=pa.timestamp("us", tz="UTC")),
        "event": events.take(pa.array(arrays["event"].astype(np.int32))),
        "channel": channels.take(pa.array(arrays["channel"].astype(np.int32))),
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, required=True, help="number of events, e.g. 1000000 or 1e7")
    ap.add_argument("--out", type=Path, required=True, help="Parquet file to write")
    ap.add_argument("--map", type=Path, default=None, help="map YAML to write (default: map.yaml next to --out)")
    ap.add_argument("--csv", type=Path, default=None, help="also write the log as CSV here")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--row-group-size", type=int, default=122_880, help="Parquet row group size (DuckDB's own)")
    a = ap.parse_args()

    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    arrays = generate(int(a.events), a.seed)
    table = to_arrow(arrays)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, a.out, row_group_size=a.row_group_size)
    write_map(a.map or a.out.parent / "map.yaml")
    if a.csv:
        import duckdb

        duckdb.sql("SET TimeZone = 'UTC'")
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{a.out}')) TO '{a.csv}' (HEADER, DELIMITER ',')")
    print(f"{table.num_rows:,} events, {int(arrays['n_customers']):,} customers -> {a.out} "
          f"({a.out.stat().st_size / 2**20:.0f} MB) in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
