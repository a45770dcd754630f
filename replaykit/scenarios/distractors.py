"""Distractor tools for stress sweeps: what agents really carry — MCP servers' tools, namespaced
`mcp__<server>__<tool>` — from domains that never answer a coding question, so offering them changes the
load on the model without changing the right answer."""

from __future__ import annotations

from typing import Any

# server -> [(tool, description, {param: (json type, description)}, required)]
_P = dict[str, tuple[str, str]]
SERVERS: dict[str, list[tuple[str, str, _P, tuple[str, ...]]]] = {
    "slack": [
        ("post_message", "Post a message to a Slack channel.", {"channel_id": ("string", "Channel ID, e.g. C0123"),
         "text": ("string", "Message text (mrkdwn)"), "thread_ts": ("string", "Reply in this thread")},
         ("channel_id", "text")),
        ("list_channels", "List public channels in the workspace.", {"limit": ("integer", "Max results (1-200)"),
         "cursor": ("string", "Pagination cursor")}, ()),
        ("add_reaction", "Add an emoji reaction to a message.", {"channel_id": ("string", "Channel ID"),
         "timestamp": ("string", "Message timestamp"), "reaction": ("string", "Emoji name without colons")},
         ("channel_id", "timestamp", "reaction")),
        ("get_user_profile", "Get a user's profile.", {"user_id": ("string", "User ID")}, ("user_id",)),
    ],
    "jira": [
        ("create_issue", "Create a Jira issue in a project.", {"project_key": ("string", "Project key, e.g. OPS"),
         "summary": ("string", "One-line summary"), "issue_type": ("string", "Bug, Task or Story"),
         "description": ("string", "Body in Atlassian markup")}, ("project_key", "summary", "issue_type")),
        ("transition_issue", "Move an issue to another status.", {"issue_key": ("string", "e.g. OPS-123"),
         "transition_id": ("string", "Transition ID from get_transitions")}, ("issue_key", "transition_id")),
        ("search_issues", "Search issues with JQL.", {"jql": ("string", "JQL query"),
         "max_results": ("integer", "Max results")}, ("jql",)),
        ("add_comment", "Comment on an issue.", {"issue_key": ("string", "Issue key"),
         "body": ("string", "Comment text")}, ("issue_key", "body")),
    ],
    "postgres": [
        ("query", "Run a read-only SQL query against the analytics replica.", {"sql": ("string", "SELECT statement")},
         ("sql",)),
        ("list_tables", "List tables in a schema.", {"schema": ("string", "Schema name, default public")}, ()),
        ("describe_table", "Columns, types and indexes of a table.", {"table": ("string", "Table name"),
         "schema": ("string", "Schema name")}, ("table",)),
    ],
    "browser": [
        ("navigate", "Open a URL in the controlled browser tab.", {"url": ("string", "Absolute URL")}, ("url",)),
        ("click", "Click an element.", {"selector": ("string", "CSS selector"),
         "button": ("string", "left, right or middle")}, ("selector",)),
        ("screenshot", "Take a screenshot of the page.", {"full_page": ("boolean", "Whole page, not viewport")}, ()),
        ("fill_form", "Fill form fields.", {"fields": ("object", "selector -> value")}, ("fields",)),
    ],
    "sentry": [
        ("get_issue", "Get a Sentry issue with its latest event.", {"issue_id": ("string", "Issue ID")},
         ("issue_id",)),
        ("list_project_errors", "Recent unresolved errors of a project.", {"project_slug": ("string", "Project"),
         "period": ("string", "e.g. 24h, 7d")}, ("project_slug",)),
        ("resolve_issue", "Mark an issue resolved.", {"issue_id": ("string", "Issue ID")}, ("issue_id",)),
    ],
    "notion": [
        ("search_pages", "Search pages by title.", {"query": ("string", "Search text")}, ("query",)),
        ("append_block", "Append a paragraph to a page.", {"page_id": ("string", "Page ID"),
         "text": ("string", "Paragraph text")}, ("page_id", "text")),
        ("create_database_row", "Add a row to a database.", {"database_id": ("string", "Database ID"),
         "properties": ("object", "Property values")}, ("database_id", "properties")),
    ],
    "kubernetes": [
        ("get_pods", "List pods in a namespace.", {"namespace": ("string", "Namespace"),
         "label_selector": ("string", "e.g. app=web")}, ("namespace",)),
        ("scale_deployment", "Scale a deployment.", {"namespace": ("string", "Namespace"),
         "name": ("string", "Deployment"), "replicas": ("integer", "Replica count")},
         ("namespace", "name", "replicas")),
        ("get_pod_logs", "Logs of a pod's container.", {"namespace": ("string", "Namespace"),
         "pod": ("string", "Pod name"), "tail_lines": ("integer", "Last N lines")}, ("namespace", "pod")),
    ],
    "stripe": [
        ("list_customers", "List customers.", {"email": ("string", "Filter by email"),
         "limit": ("integer", "Max results")}, ()),
        ("create_refund", "Refund a charge.", {"charge_id": ("string", "ch_..."),
         "amount": ("integer", "Amount in cents")}, ("charge_id",)),
        ("retrieve_invoice", "Get an invoice.", {"invoice_id": ("string", "in_...")}, ("invoice_id",)),
    ],
    "calendar": [
        ("create_event", "Create a calendar event.", {"title": ("string", "Title"),
         "start": ("string", "RFC 3339 start"), "end": ("string", "RFC 3339 end"),
         "attendees": ("array", "Emails")}, ("title", "start", "end")),
        ("list_events", "Events in a time range.", {"time_min": ("string", "RFC 3339"),
         "time_max": ("string", "RFC 3339")}, ("time_min", "time_max")),
        ("find_free_slot", "First free slot of a given length.", {"duration_minutes": ("integer", "Length"),
         "within_days": ("integer", "Search window")}, ("duration_minutes",)),
    ],
    "datadog": [
        ("query_metrics", "Query a metric timeseries.", {"query": ("string", "e.g. avg:system.cpu.user{*}"),
         "from_ts": ("integer", "Unix seconds"), "to_ts": ("integer", "Unix seconds")},
         ("query", "from_ts", "to_ts")),
        ("list_monitors", "Monitors and their states.", {"tags": ("array", "Filter by tags")}, ()),
        ("mute_monitor", "Mute a monitor.", {"monitor_id": ("integer", "Monitor ID"),
         "end": ("integer", "Unmute at (unix seconds)")}, ("monitor_id",)),
    ],
    "figma": [
        ("get_file", "Get a Figma file's document tree.", {"file_key": ("string", "File key"),
         "depth": ("integer", "Tree depth")}, ("file_key",)),
        ("export_node", "Export a node as PNG or SVG.", {"file_key": ("string", "File key"),
         "node_id": ("string", "Node ID"), "format": ("string", "png or svg")}, ("file_key", "node_id")),
    ],
    "gdrive": [
        ("search_files", "Search Drive files.", {"query": ("string", "Drive query")}, ("query",)),
        ("share_file", "Share a file with someone.", {"file_id": ("string", "File ID"),
         "email": ("string", "Recipient"), "role": ("string", "reader, commenter or writer")},
         ("file_id", "email", "role")),
        ("export_doc", "Export a Google Doc.", {"file_id": ("string", "File ID"),
         "mime_type": ("string", "e.g. text/markdown")}, ("file_id",)),
    ],
    "github": [
        ("list_commits", "Commits of a repository branch.", {"owner": ("string", "Owner"), "repo": ("string", "Repo"),
         "sha": ("string", "Branch or SHA")}, ("owner", "repo")),
        ("get_pull_request", "A pull request with its review state.", {"owner": ("string", "Owner"),
         "repo": ("string", "Repo"), "pull_number": ("integer", "PR number")}, ("owner", "repo", "pull_number")),
        ("list_workflow_runs", "GitHub Actions runs of a workflow.", {"owner": ("string", "Owner"),
         "repo": ("string", "Repo"), "workflow_id": ("string", "Workflow file or ID")},
         ("owner", "repo", "workflow_id")),
        ("get_release", "A release by tag.", {"owner": ("string", "Owner"), "repo": ("string", "Repo"),
         "tag": ("string", "Tag")}, ("owner", "repo", "tag")),
    ],
    "pagerduty": [
        ("list_incidents", "Open incidents.", {"urgency": ("string", "high or low"),
         "service_ids": ("array", "Service IDs")}, ()),
        ("acknowledge_incident", "Acknowledge an incident.", {"incident_id": ("string", "Incident ID")},
         ("incident_id",)),
        ("get_oncall", "Who is on call for an escalation policy.", {"escalation_policy_id": ("string", "Policy ID")},
         ("escalation_policy_id",)),
    ],
    "zendesk": [
        ("get_ticket", "A support ticket with its comments.", {"ticket_id": ("integer", "Ticket ID")}, ("ticket_id",)),
        ("update_ticket_status", "Set a ticket's status.", {"ticket_id": ("integer", "Ticket ID"),
         "status": ("string", "open, pending, solved")}, ("ticket_id", "status")),
        ("search_tickets", "Search tickets.", {"query": ("string", "Zendesk search query")}, ("query",)),
    ],
    "confluence": [
        ("get_page", "A Confluence page's body.", {"page_id": ("string", "Page ID")}, ("page_id",)),
        ("search_content", "Search with CQL.", {"cql": ("string", "CQL query"), "limit": ("integer", "Max")},
         ("cql",)),
        ("create_page", "Create a page in a space.", {"space_key": ("string", "Space"),
         "title": ("string", "Title"), "body": ("string", "Storage-format body")}, ("space_key", "title", "body")),
    ],
    "trello": [
        ("create_card", "Create a card on a list.", {"list_id": ("string", "List ID"), "name": ("string", "Title")},
         ("list_id", "name")),
        ("move_card", "Move a card to another list.", {"card_id": ("string", "Card ID"),
         "list_id": ("string", "Target list")}, ("card_id", "list_id")),
        ("list_boards", "Boards of the member.", {"filter": ("string", "open, closed or all")}, ()),
    ],
    "cloudflare": [
        ("list_dns_records", "DNS records of a zone.", {"zone_id": ("string", "Zone ID"),
         "type": ("string", "A, AAAA, CNAME...")}, ("zone_id",)),
        ("purge_cache", "Purge cached URLs.", {"zone_id": ("string", "Zone ID"), "files": ("array", "URLs")},
         ("zone_id",)),
        ("create_dns_record", "Create a DNS record.", {"zone_id": ("string", "Zone ID"), "type": ("string", "Type"),
         "name": ("string", "Name"), "content": ("string", "Value")}, ("zone_id", "type", "name", "content")),
    ],
    "huggingface": [
        ("search_models", "Search models on the Hub.", {"query": ("string", "Text"),
         "task": ("string", "Pipeline tag")},
         ("query",)),
        ("get_dataset_info", "Card and files of a dataset.", {"repo_id": ("string", "owner/name")}, ("repo_id",)),
        ("list_spaces", "Spaces of an author.", {"author": ("string", "User or org")}, ("author",)),
    ],
    "wandb": [
        ("list_runs", "Runs of a W&B project.", {"entity": ("string", "Entity"), "project": ("string", "Project")},
         ("entity", "project")),
        ("get_run_summary", "Summary metrics of a run.", {"run_path": ("string", "entity/project/run_id")},
         ("run_path",)),
    ],
    "redis": [
        ("get_key", "Value of a key.", {"key": ("string", "Key")}, ("key",)),
        ("set_key_ttl", "Set a key's time to live.", {"key": ("string", "Key"), "seconds": ("integer", "TTL")},
         ("key", "seconds")),
        ("scan_keys", "Keys matching a pattern.", {"pattern": ("string", "Glob pattern"), "count": ("integer", "Hint")},
         ("pattern",)),
    ],
    "docker": [
        ("list_containers", "Containers on the host.", {"all": ("boolean", "Include stopped ones")}, ()),
        ("restart_container", "Restart a container.", {"container_id": ("string", "ID or name")}, ("container_id",)),
        ("image_history", "Layers of an image.", {"image": ("string", "Image reference")}, ("image",)),
    ],
    "youtube": [
        ("search_videos", "Search videos.", {"query": ("string", "Text"), "max_results": ("integer", "Max")},
         ("query",)),
        ("get_video_captions", "Captions of a video.", {"video_id": ("string", "Video ID"),
         "language": ("string", "BCP-47 code")}, ("video_id",)),
    ],
}

# Words that say nothing about a tool's domain: sharing one of these is no overlap.
GENERIC = frozenset({"get", "list", "create", "set", "search", "update", "add", "find", "delete", "send", "read",
                     "write", "run", "query", "describe", "lookup", "info", "track", "export", "to", "of", "by"})


def catalog() -> list[dict[str, Any]]:
    """Every distractor as an OpenAI tool, in a fixed order."""
    tools = []
    for server, entries in SERVERS.items():
        for name, description, params, required in entries:
            properties: dict[str, Any] = {}
            for param, (kind, text) in params.items():
                properties[param] = {"type": kind, "description": text}
                if kind == "array":
                    properties[param]["items"] = {"type": "string"}
            schema: dict[str, Any] = {"type": "object", "properties": properties}
            if required:
                schema["required"] = list(required)
            tools.append({"type": "function", "function": {
                "name": f"mcp__{server}__{name}", "description": f"[{server} MCP] {description}",
                "parameters": schema}})
    return tools


def distractors_for(tool_names: list[str]) -> list[dict[str, Any]]:
    """The catalog minus tools whose name shares a domain word with one of the scenario's tools (a
    `mcp__calendar__create_event` could rightly answer a question meant for `create_calendar_event`)."""
    words = {w for name in tool_names for w in _words(name)} - GENERIC
    return [t for t in catalog() if not (set(_words(t["function"]["name"].split("__")[-1])) - GENERIC) & words]


def _words(name: str) -> list[str]:
    out = []
    for word in name.replace("-", "_").lower().split("_"):
        out.append(word)
        if word.endswith("s") and len(word) > 3:
            out.append(word[:-1])  # tables ~ table
    return out
