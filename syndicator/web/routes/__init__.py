"""One router per page: each calls syndicator.services and renders what it returns."""
