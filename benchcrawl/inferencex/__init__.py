"""InferenceX, the 2026 generation of the InferenceMAX dashboard: pure logic.

The page loads ``/api/v1/availability`` and then one benchmarks answer per model (display
name) and run date. benchcrawl never requests ``/api/`` itself (robots.txt disallows it);
the spider reads what the page loads while it renders. Here: what an answer must look like,
which model x run date combinations a sweep plans, and how answers become one table.
"""
