"""ECR's registry endpoint: the Docker Registry HTTP API V2 / OCI Distribution API under ``/v2/``.

``docker login -u AWS -p "$(aws ecr get-login-password)" 127.0.0.1:PORT`` then ``docker push``, ``skopeo copy``,
``crane`` or ``oras`` against ``127.0.0.1:PORT/REPO:TAG``.  :mod:`mockrunner.registry.wsgi` is the WSGI app the
server mounts; :mod:`mockrunner.registry.request` reads and authenticates a request; the routes are in
:mod:`mockrunner.registry.handlers`.  What a push or pull does to ECR's state is shared with ECR's JSON API
(:mod:`mockrunner.services.ecr.push`, :func:`mockrunner.services.ecr.core.store_image`).
"""
