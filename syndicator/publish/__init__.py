"""Post to attempt to published: the publisher, its claims and its retry decisions."""
