// Synthesis prints rule warnings to stderr (the seed keeps the docs' plain-text demo credentials); tests that
// assert a warning clear this themselves. Set here so a developer's own value does not change test output.
process.env.CDK8S_ISTIO_AMBIENT_QUIET = '1';
