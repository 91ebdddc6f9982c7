"""Test helpers every app's tests reuse: factories, role log-ins, the browser harness."""
