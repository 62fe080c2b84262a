"""Names of states, roles and actions as a page shows them: gettext message ids, translated
when the page is rendered (N_ only marks them for the catalogue)."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


STATUSES = {
    "pending_review": N_("Waiting for review"),
    "approved": N_("Approved"),
    "publishing": N_("Publishing"),
    "published": N_("Published"),
    "rejected": N_("Rejected"),
    "failed": N_("Failed"),
    "needs_attention": N_("Needs attention"),
}

ROLES = {"editor": N_("Editor"), "approver": N_("Approver"), "admin": N_("Administrator")}

ACTIONS = {
    "create": N_("created"),
    "repost": N_("reposted"),
    "approve": N_("approved"),
    "reject": N_("rejected"),
    "edit": N_("edited"),
    "rerender": N_("rendered again"),
    "claim": N_("sending"),
    "publish": N_("published"),
    "unknown": N_("outcome unknown"),
    "retry": N_("will retry"),
    "pause": N_("channel paused"),
    "fail": N_("failed"),
    "refuse": N_("refused by the platform"),
    "reconcile": N_("checked on the platform"),
    "search_failed": N_("platform search failed"),
    "late_success": N_("published (late answer)"),
    "duplicate": N_("duplicate found"),
}

# Kinds of alert (syndicator/ops/alerts.py).
ALERT_KINDS = {
    "channel_paused": N_("Channel paused"),
    "token_expiring": N_("Token expiring"),
    "feed_broken": N_("Feed broken"),
    "needs_attention": N_("Post needs attention"),
}

# Admin actions in the audit trail (storage/states.py, AdminAction).
ADMIN_ACTIONS = {
    "first_admin": N_("First administrator created"),
    "user_add": N_("User added"),
    "user_role": N_("Role changed"),
    "user_disable": N_("User disabled"),
    "user_password": N_("Password changed"),
    "api_token_create": N_("API token created"),
    "api_token_revoke": N_("API token revoked"),
    "channel_resume": N_("Channel resumed"),
    "feed_add": N_("Portal added"),
    "feed_remove": N_("Portal removed"),
}

# What the users page says after an action succeeded (`?done=`), with the user's name.
USER_DONE = {
    "added": N_("User %(name)s is added."),
    "role": N_("The role of %(name)s is changed."),
    "disabled": N_("User %(name)s is disabled and can no longer sign in."),
    "password": N_("The password of %(name)s is changed; their sessions have ended."),
}

# What a post page says after an action succeeded (`?done=` on the redirect).
DONE = {
    "approved": N_("The post is approved."),
    "rejected": N_("The post is rejected."),
    "edited": N_("Your text is saved; the post waits for approval again."),
}


def label(table: dict[str, str], key: str) -> str:
    """The message id for `key`, or the key itself when the table lacks it (a new state)."""
    return table.get(key, key)
