"""The Server-Sent Events suite: a package, so its conftest does not take the module name `conftest` that other
suites' tests import from."""
