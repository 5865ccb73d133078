"""HTML report: overview, stories with provenance graphs and timelines, side-by-side views of links."""

from newstrace.report.render import highlight_segments, make_env, render_report, safe_url, write_report

__all__ = ["highlight_segments", "make_env", "render_report", "safe_url", "write_report"]
