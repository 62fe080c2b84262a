"""Item to post: making posts, rendering and its sandbox, review policy, pacing and slots."""
