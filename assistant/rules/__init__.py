"""Rule-based answering (the `offline` backend): deterministic, no model. A parsed Query -> an Answer, from the
facts the ingest extracted and the calculator, or a refusal that names what is missing."""
