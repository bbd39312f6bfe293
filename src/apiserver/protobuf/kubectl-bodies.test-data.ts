/**
 * @module apiserver/protobuf/kubectl-bodies.test-data
 *
 * Request bodies captured from the real kubectl (v1.32.4) talking to Flotilla through a logging
 * proxy, with the JSON object kubectl means by each: for `kubectl create …` and `kubectl autoscale`
 * the output of the same command with `--dry-run=client -o json`; for the `auth`, `create token`
 * and `debug node` commands, which have no client dry run, the object written out by hand as Go's
 * JSON encoder prints it. `debug-copy` is checked against the pod it copied (DEBUG_COPY_SOURCE_POD);
 * `whoami-v1beta1` is a kind the decoder does not cover.
 * Go prints a zero Time and nil slices as `null`; the decoder leaves unset fields out instead.
 */

export interface KubectlCapture {
  /** A short name for the test. */
  name: string;
  /** The kubectl command that sent the body (against a kubeconfig whose namespace is default). */
  command: string;
  method: string;
  path: string;
  contentType: string;
  /** The request body, base64. */
  body: string;
  /** The JSON object kubectl means by the body. */
  expected?: Record<string, unknown>;
}

export const KUBECTL_BODIES: KubectlCapture[] = [
  {
    name: "namespace",
    command: "kubectl create namespace demo --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhwKFAoEZGVtbxIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==",
    expected: {
      kind: "Namespace",
      apiVersion: "v1",
      metadata: {
        name: "demo",
        creationTimestamp: null
      },
      spec: {},
      status: {}
    }
  },
  {
    name: "configmap",
    command: "kubectl create configmap c --from-literal=a=b --from-literal=k=v --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/configmaps",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiMKEQoBYxIAGgAiACoAMgA4AEIAEgYKAWESAWISBgoBaxIBdhoAIgA=",
    expected: {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: {
        name: "c",
        creationTimestamp: null
      },
      data: {
        a: "b",
        k: "v"
      }
    }
  },
  {
    name: "secret",
    command: "kubectl create secret generic s --from-literal=p=x --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/secrets",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAXASAXgaABoAIgA=",
    expected: {
      kind: "Secret",
      apiVersion: "v1",
      metadata: {
        name: "s",
        creationTimestamp: null
      },
      data: {
        p: "eA=="
      }
    }
  },
  {
    name: "deployment",
    command: "kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80 --dry-run=server",
    method: "POST",
    path: "/apis/apps/v1/namespaces/default/deployments",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEosBCAISDAoKCgNhcHASA3dlYhpxChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViElESMwoFbmdpbngSCm5naW54OjEuMjcqADIKCgAQABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==",
    expected: {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: {
        name: "web",
        creationTimestamp: null,
        labels: {
          app: "web"
        }
      },
      spec: {
        replicas: 2,
        selector: {
          matchLabels: {
            app: "web"
          }
        },
        template: {
          metadata: {
            creationTimestamp: null,
            labels: {
              app: "web"
            }
          },
          spec: {
            containers: [
              {
                name: "nginx",
                image: "nginx:1.27",
                ports: [
                  {
                    containerPort: 80
                  }
                ],
                resources: {}
              }
            ]
          }
        },
        strategy: {}
      },
      status: {}
    }
  },
  {
    name: "service-nodeport",
    command: "kubectl create service nodeport web --tcp=80:8080 --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/services",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJoCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEkEKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoABIKCgNhcHASA3dlYhoAIghOb2RlUG9ydDoAQgBSAFoAYABoABoCCgAaACIA",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: {
        name: "web",
        creationTimestamp: null,
        labels: {
          app: "web"
        }
      },
      spec: {
        ports: [
          {
            name: "80-8080",
            protocol: "TCP",
            port: 80,
            targetPort: 8080
          }
        ],
        selector: {
          app: "web"
        },
        type: "NodePort"
      },
      status: {
        loadBalancer: {}
      }
    }
  },
  {
    name: "service-clusterip",
    command: "kubectl create service clusterip cip --tcp=5678:8080 --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/services",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJsCh8KA2NpcBIAGgAiACoAMgA4AEIAWgoKA2FwcBIDY2lwEkUKHgoJNTY3OC04MDgwEgNUQ1AYriwiBwgAEJA/GgAoABIKCgNhcHASA2NpcBoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: {
        name: "cip",
        creationTimestamp: null,
        labels: {
          app: "cip"
        }
      },
      spec: {
        ports: [
          {
            name: "5678-8080",
            protocol: "TCP",
            port: 5678,
            targetPort: 8080
          }
        ],
        selector: {
          app: "cip"
        },
        type: "ClusterIP"
      },
      status: {
        loadBalancer: {}
      }
    }
  },
  {
    name: "service-loadbalancer",
    command: "kubectl create service loadbalancer lb --tcp=5678:8080 --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/services",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJsCh0KAmxiEgAaACIAKgAyADgAQgBaCQoDYXBwEgJsYhJHCh4KCTU2NzgtODA4MBIDVENQGK4sIgcIABCQPxoAKAASCQoDYXBwEgJsYhoAIgxMb2FkQmFsYW5jZXI6AEIAUgBaAGAAaAAaAgoAGgAiAA==",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: {
        name: "lb",
        creationTimestamp: null,
        labels: {
          app: "lb"
        }
      },
      spec: {
        ports: [
          {
            name: "5678-8080",
            protocol: "TCP",
            port: 5678,
            targetPort: 8080
          }
        ],
        selector: {
          app: "lb"
        },
        type: "LoadBalancer"
      },
      status: {
        loadBalancer: {}
      }
    }
  },
  {
    name: "service-externalname",
    command: "kubectl create service externalname en --external-name=bar.com --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/services",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJTCh0KAmVuEgAaACIAKgAyADgAQgBaCQoDYXBwEgJlbhIuEgkKA2FwcBICZW4aACIMRXh0ZXJuYWxOYW1lOgBCAFIHYmFyLmNvbVoAYABoABoCCgAaACIA",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: {
        name: "en",
        creationTimestamp: null,
        labels: {
          app: "en"
        }
      },
      spec: {
        selector: {
          app: "en"
        },
        type: "ExternalName",
        externalName: "bar.com"
      },
      status: {
        loadBalancer: {}
      }
    }
  },
  {
    name: "role",
    command: "kubectl create role r --verb=get --resource=pods --dry-run=server",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEiIKEQoBchIAGgAiACoAMgA4AEIAEg0KA2dldBIAGgRwb2RzGgAiAA==",
    expected: {
      kind: "Role",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: {
        name: "r",
        creationTimestamp: null
      },
      rules: [
        {
          verbs: [
            "get"
          ],
          apiGroups: [
            ""
          ],
          resources: [
            "pods"
          ]
        }
      ]
    }
  },
  {
    name: "rolebinding",
    command: "kubectl create rolebinding rb --role=r --user=u --dry-run=server",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxJiChIKAnJiEgAaACIAKgAyADgAQgASJgoEVXNlchIZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxoBdSIAGiQKGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8SBFJvbGUaAXIaACIA",
    expected: {
      kind: "RoleBinding",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: {
        name: "rb",
        creationTimestamp: null
      },
      subjects: [
        {
          kind: "User",
          apiGroup: "rbac.authorization.k8s.io",
          name: "u"
        }
      ],
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "r"
      }
    }
  },
  {
    name: "clusterrole",
    command: "kubectl create clusterrole cr --verb=get,list --resource=pods,deployments.apps --resource-name=x --dry-run=server",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRJPChIKAmNyEgAaACIAKgAyADgAQgASFgoDZ2V0CgRsaXN0EgAaBHBvZHMiAXgSIQoDZ2V0CgRsaXN0EgRhcHBzGgtkZXBsb3ltZW50cyIBeBoAIgA=",
    expected: {
      kind: "ClusterRole",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: {
        name: "cr",
        creationTimestamp: null
      },
      rules: [
        {
          verbs: [
            "get",
            "list"
          ],
          apiGroups: [
            ""
          ],
          resources: [
            "pods"
          ],
          resourceNames: [
            "x"
          ]
        },
        {
          verbs: [
            "get",
            "list"
          ],
          apiGroups: [
            "apps"
          ],
          resources: [
            "deployments"
          ],
          resourceNames: [
            "x"
          ]
        }
      ]
    }
  },
  {
    name: "clusterrole-agg",
    command: "kubectl create clusterrole agg --aggregation-rule=foo=bar --dry-run=server",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRIlChMKA2FnZxIAGgAiACoAMgA4AEIAGg4KDAoKCgNmb28SA2JhchoAIgA=",
    expected: {
      kind: "ClusterRole",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: {
        name: "agg",
        creationTimestamp: null
      },
      rules: null,
      aggregationRule: {
        clusterRoleSelectors: [
          {
            matchLabels: {
              foo: "bar"
            }
          }
        ]
      }
    }
  },
  {
    name: "clusterrolebinding",
    command: "kubectl create clusterrolebinding crb --clusterrole=cr --user=u --group=g --serviceaccount=default:sa --dry-run=server",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoyChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEhJDbHVzdGVyUm9sZUJpbmRpbmcStQEKEwoDY3JiEgAaACIAKgAyADgAQgASJgoEVXNlchIZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxoBdSIAEicKBUdyb3VwEhlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvGgFnIgASHwoOU2VydmljZUFjY291bnQSABoCc2EiB2RlZmF1bHQaLAoZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxILQ2x1c3RlclJvbGUaAmNyGgAiAA==",
    expected: {
      kind: "ClusterRoleBinding",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: {
        name: "crb",
        creationTimestamp: null
      },
      subjects: [
        {
          kind: "User",
          apiGroup: "rbac.authorization.k8s.io",
          name: "u"
        },
        {
          kind: "Group",
          apiGroup: "rbac.authorization.k8s.io",
          name: "g"
        },
        {
          kind: "ServiceAccount",
          name: "sa",
          namespace: "default"
        }
      ],
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "cr"
      }
    }
  },
  {
    name: "priorityclass",
    command: "kubectl create priorityclass pc --value=1000 --description=hello --preemption-policy=Never --dry-run=server",
    method: "POST",
    path: "/apis/scheduling.k8s.io/v1/priorityclasses",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxInChIKAnBjEgAaACIAKgAyADgAQgAQ6AcYACIFaGVsbG8qBU5ldmVyGgAiAA==",
    expected: {
      kind: "PriorityClass",
      apiVersion: "scheduling.k8s.io/v1",
      metadata: {
        name: "pc",
        creationTimestamp: null
      },
      value: 1000,
      description: "hello",
      preemptionPolicy: "Never"
    }
  },
  {
    name: "pdb",
    command: "kubectl create pdb p --selector=app=web --min-available=1 --dry-run=server",
    method: "POST",
    path: "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSNwoRCgFwEgAaACIAKgAyADgAQgASFgoGCAAQARoAEgwKCgoDYXBwEgN3ZWIaCggAGAAgACgAMAAaACIA",
    expected: {
      kind: "PodDisruptionBudget",
      apiVersion: "policy/v1",
      metadata: {
        name: "p",
        creationTimestamp: null
      },
      spec: {
        minAvailable: 1,
        selector: {
          matchLabels: {
            app: "web"
          }
        }
      },
      status: {
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0
      }
    }
  },
  {
    name: "ingress",
    command: "kubectl create ingress i --rule='foo.com/bar=svc:80' --annotation=a=b --dry-run=server",
    method: "POST",
    path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxJOChkKAWkSABoAIgAqADIAOABCAGIGCgFhEgFiEi0aKwoHZm9vLmNvbRIgCh4KHAoEL2JhchINIgsKA3N2YxIECgAQUBoFRXhhY3QaAgoAGgAiAA==",
    expected: {
      kind: "Ingress",
      apiVersion: "networking.k8s.io/v1",
      metadata: {
        name: "i",
        creationTimestamp: null,
        annotations: {
          a: "b"
        }
      },
      spec: {
        rules: [
          {
            host: "foo.com",
            http: {
              paths: [
                {
                  path: "/bar",
                  pathType: "Exact",
                  backend: {
                    service: {
                      name: "svc",
                      port: {
                        number: 80
                      }
                    }
                  }
                }
              ]
            }
          }
        ]
      },
      status: {
        loadBalancer: {}
      }
    }
  },
  {
    name: "serviceaccount",
    command: "kubectl create serviceaccount sa --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/serviceaccounts",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFAoSCgJzYRIAGgAiACoAMgA4AEIAGgAiAA==",
    expected: {
      kind: "ServiceAccount",
      apiVersion: "v1",
      metadata: {
        name: "sa",
        creationTimestamp: null
      }
    }
  },
  {
    name: "quota",
    command: "kubectl create quota q --hard=cpu=1,memory=1G,pods=2 --scopes=BestEffort --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/resourcequotas",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoTCgJ2MRINUmVzb3VyY2VRdW90YRJMChEKAXESABoAIgAqADIAOABCABI1CgoKA2NwdRIDCgExCg4KBm1lbW9yeRIECgIxRwoLCgRwb2RzEgMKATISCkJlc3RFZmZvcnQaABoAIgA=",
    expected: {
      kind: "ResourceQuota",
      apiVersion: "v1",
      metadata: {
        name: "q",
        creationTimestamp: null
      },
      spec: {
        hard: {
          cpu: "1",
          memory: "1G",
          pods: "2"
        },
        scopes: [
          "BestEffort"
        ]
      },
      status: {}
    }
  },
  {
    name: "secret-docker-registry",
    command: "kubectl create secret docker-registry dr --docker-username=u --docker-password=p --docker-server=reg.io --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/secrets",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0Eo0BChIKAmRyEgAaACIAKgAyADgAQgASVwoRLmRvY2tlcmNvbmZpZ2pzb24SQnsiYXV0aHMiOnsicmVnLmlvIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fRoea3ViZXJuZXRlcy5pby9kb2NrZXJjb25maWdqc29uGgAiAA==",
    expected: {
      kind: "Secret",
      apiVersion: "v1",
      metadata: {
        name: "dr",
        creationTimestamp: null
      },
      data: {
        ".dockerconfigjson": "eyJhdXRocyI6eyJyZWcuaW8iOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19"
      },
      type: "kubernetes.io/dockerconfigjson"
    }
  },
  {
    name: "job-from-cronjob",
    command: "kubectl create job fromcj --from=cronjob/cj",
    method: "POST",
    path: "/apis/batch/v1/namespaces/default/jobs",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoPCghiYXRjaC92MRIDSm9iEucCCoQBCgZmcm9tY2oSABoAIgAqADIAOABCAGIrCiFjcm9uam9iLmt1YmVybmV0ZXMuaW8vaW5zdGFudGlhdGUSBm1hbnVhbGo/CgdDcm9uSm9iGgJjaiIkYmMyMjUyZGItMjlhOC00OWEzLWFkNDYtOGM3NTJhMTMxZjY1KghiYXRjaC92MTABEtMBMtABChAKABIAGgAiACoAMgA4AEIAErsBEkUKAmNqEgdidXN5Ym94GgRkYXRlKgBCAGoUL2Rldi90ZXJtaW5hdGlvbi1sb2dyBkFsd2F5c4ABAIgBAJABAKIBBEZpbGUaCU9uRmFpbHVyZSAeMgxDbHVzdGVyRmlyc3RCB2RlZmF1bHRKB2RlZmF1bHRSAFgAYABoAHIAggEAigEAmgERZGVmYXVsdC1zY2hlZHVsZXLCAQDIAQDwAQH6ARdQcmVlbXB0TG93ZXJUaGFuT3JFcXVhbBoIIAAoADAAOgAaACIA",
    expected: {
      kind: "Job",
      apiVersion: "batch/v1",
      metadata: {
        name: "fromcj",
        creationTimestamp: null,
        annotations: {
          "cronjob.kubernetes.io/instantiate": "manual"
        },
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "CronJob",
            name: "cj",
            uid: "bc2252db-29a8-49a3-ad46-8c752a131f65",
            controller: true
          }
        ]
      },
      spec: {
        template: {
          metadata: {
            creationTimestamp: null
          },
          spec: {
            containers: [
              {
                name: "cj",
                image: "busybox",
                command: [
                  "date"
                ],
                resources: {},
                terminationMessagePath: "/dev/termination-log",
                terminationMessagePolicy: "File",
                imagePullPolicy: "Always"
              }
            ],
            restartPolicy: "OnFailure",
            terminationGracePeriodSeconds: 30,
            dnsPolicy: "ClusterFirst",
            serviceAccountName: "default",
            serviceAccount: "default",
            securityContext: {},
            schedulerName: "default-scheduler",
            priority: 0,
            enableServiceLinks: true,
            preemptionPolicy: "PreemptLowerThanOrEqual"
          }
        }
      },
      status: {}
    }
  },
  {
    name: "whoami",
    command: "kubectl auth whoami",
    method: "POST",
    path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAotChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESEVNlbGZTdWJqZWN0UmV2aWV3EhoKEAoAEgAaACIAKgAyADgAQgASBgoECgASABoAIgA=",
    expected: {
      kind: "SelfSubjectReview",
      apiVersion: "authentication.k8s.io/v1",
      metadata: {
        creationTimestamp: null
      },
      status: {
        userInfo: {}
      }
    }
  },
  {
    name: "whoami-v1beta1",
    command: "kubectl auth whoami (its fallback after the v1 request failed)",
    method: "POST",
    path: "/apis/authentication.k8s.io/v1beta1/selfsubjectreviews",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoyCh1hdXRoZW50aWNhdGlvbi5rOHMuaW8vdjFiZXRhMRIRU2VsZlN1YmplY3RSZXZpZXcSGgoQCgASABoAIgAqADIAOABCABIGCgQKABIAGgAiAA=="
  },
  {
    name: "deployment-multi",
    command: "kubectl create deployment multi --image=nginx --image=busybox --dry-run=server",
    method: "POST",
    path: "/apis/apps/v1/namespaces/default/deployments",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Et0BCiMKBW11bHRpEgAaACIAKgAyADgAQgBaDAoDYXBwEgVtdWx0aRKnAQgBEg4KDAoDYXBwEgVtdWx0aRqKAQoeCgASABoAIgAqADIAOABCAFoMCgNhcHASBW11bHRpEmgSIgoFbmdpbngSBW5naW54KgBCAGoAcgCAAQCIAQCQAQCiAQASJgoHYnVzeWJveBIHYnVzeWJveCoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA",
    expected: {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: {
        name: "multi",
        creationTimestamp: null,
        labels: {
          app: "multi"
        }
      },
      spec: {
        replicas: 1,
        selector: {
          matchLabels: {
            app: "multi"
          }
        },
        template: {
          metadata: {
            creationTimestamp: null,
            labels: {
              app: "multi"
            }
          },
          spec: {
            containers: [
              {
                name: "nginx",
                image: "nginx",
                resources: {}
              },
              {
                name: "busybox",
                image: "busybox",
                resources: {}
              }
            ]
          }
        },
        strategy: {}
      },
      status: {}
    }
  },
  {
    name: "pdb-maxunavail",
    command: "kubectl create pdb p2 --selector=app=web --max-unavailable=50% --dry-run=server",
    method: "POST",
    path: "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSOwoSCgJwMhIAGgAiACoAMgA4AEIAEhkSDAoKCgNhcHASA3dlYhoJCAEQABoDNTAlGgoIABgAIAAoADAAGgAiAA==",
    expected: {
      kind: "PodDisruptionBudget",
      apiVersion: "policy/v1",
      metadata: {
        name: "p2",
        creationTimestamp: null
      },
      spec: {
        selector: {
          matchLabels: {
            app: "web"
          }
        },
        maxUnavailable: "50%"
      },
      status: {
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0
      }
    }
  },
  {
    name: "ingress-full",
    command: "kubectl create ingress i2 --class=nginx --rule='foo.com/*=svc:http,tls=secret1' --default-backend=defsvc:8080 --rule=bar.com/x=svc2:8080 --dry-run=server",
    method: "POST",
    path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxKlAQoSCgJpMhIAGgAiACoAMgA4AEIAEooBChEiDwoGZGVmc3ZjEgUKABCQPxISCgdmb28uY29tEgdzZWNyZXQxGi0KB2Zvby5jb20SIgogCh4KAS8SESIPCgNzdmMSCAoEaHR0cBAAGgZQcmVmaXgaKwoHYmFyLmNvbRIgCh4KHAoCL3gSDyINCgRzdmMyEgUKABCQPxoFRXhhY3QiBW5naW54GgIKABoAIgA=",
    expected: {
      kind: "Ingress",
      apiVersion: "networking.k8s.io/v1",
      metadata: {
        name: "i2",
        creationTimestamp: null
      },
      spec: {
        ingressClassName: "nginx",
        defaultBackend: {
          service: {
            name: "defsvc",
            port: {
              number: 8080
            }
          }
        },
        tls: [
          {
            hosts: [
              "foo.com"
            ],
            secretName: "secret1"
          }
        ],
        rules: [
          {
            host: "foo.com",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: {
                    service: {
                      name: "svc",
                      port: {
                        name: "http"
                      }
                    }
                  }
                }
              ]
            }
          },
          {
            host: "bar.com",
            http: {
              paths: [
                {
                  path: "/x",
                  pathType: "Exact",
                  backend: {
                    service: {
                      name: "svc2",
                      port: {
                        number: 8080
                      }
                    }
                  }
                }
              ]
            }
          }
        ]
      },
      status: {
        loadBalancer: {}
      }
    }
  },
  {
    name: "role-full",
    command: "kubectl create role r2 --verb=get,list,watch --resource=pods/log,deployments.apps --resource-name=a --resource-name=b --dry-run=server",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEmcKEgoCcjISABoAIgAqADIAOABCABIkCgNnZXQKBGxpc3QKBXdhdGNoEgAaCHBvZHMvbG9nIgFhIgFiEisKA2dldAoEbGlzdAoFd2F0Y2gSBGFwcHMaC2RlcGxveW1lbnRzIgFhIgFiGgAiAA==",
    expected: {
      kind: "Role",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: {
        name: "r2",
        creationTimestamp: null
      },
      rules: [
        {
          verbs: [
            "get",
            "list",
            "watch"
          ],
          apiGroups: [
            ""
          ],
          resources: [
            "pods/log"
          ],
          resourceNames: [
            "a",
            "b"
          ]
        },
        {
          verbs: [
            "get",
            "list",
            "watch"
          ],
          apiGroups: [
            "apps"
          ],
          resources: [
            "deployments"
          ],
          resourceNames: [
            "a",
            "b"
          ]
        }
      ]
    }
  },
  {
    name: "service-multi",
    command: "kubectl create service clusterip multi --tcp=80:http --tcp=443:8443 --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/services",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRKRAQojCgVtdWx0aRIAGgAiACoAMgA4AEIAWgwKA2FwcBIFbXVsdGkSZgoeCgc4MC1odHRwEgNUQ1AYUCIKCAEQABoEaHR0cCgACh0KCDQ0My04NDQzEgNUQ1AYuwMiBwgAEPtBGgAoABIMCgNhcHASBW11bHRpGgAiCUNsdXN0ZXJJUDoAQgBSAFoAYABoABoCCgAaACIA",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: {
        name: "multi",
        creationTimestamp: null,
        labels: {
          app: "multi"
        }
      },
      spec: {
        ports: [
          {
            name: "80-http",
            protocol: "TCP",
            port: 80,
            targetPort: "http"
          },
          {
            name: "443-8443",
            protocol: "TCP",
            port: 443,
            targetPort: 8443
          }
        ],
        selector: {
          app: "multi"
        },
        type: "ClusterIP"
      },
      status: {
        loadBalancer: {}
      }
    }
  },
  {
    name: "autoscale",
    command: "kubectl autoscale deployment web --min=2 --max=5 --cpu-percent=50",
    method: "POST",
    path: "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAopCg5hdXRvc2NhbGluZy92MRIXSG9yaXpvbnRhbFBvZEF1dG9zY2FsZXISPwoTCgN3ZWISABoAIgAqADIAOABCABIiChoKCkRlcGxveW1lbnQSA3dlYhoHYXBwcy92MRACGAUgMhoEGAAgABoAIgA=",
    expected: {
      kind: "HorizontalPodAutoscaler",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: "web",
        creationTimestamp: null
      },
      spec: {
        scaleTargetRef: {
          kind: "Deployment",
          name: "web",
          apiVersion: "apps/v1"
        },
        minReplicas: 2,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 50
      },
      status: {
        currentReplicas: 0,
        desiredReplicas: 0
      }
    }
  },
  {
    name: "can-i",
    command: "kubectl auth can-i create deployments.apps --subresource=scale -n kube-system",
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSUwoQCgASABoAIgAqADIAOABCABI1CjMKC2t1YmUtc3lzdGVtEgZjcmVhdGUaBGFwcHMiACoLZGVwbG95bWVudHMyBXNjYWxlOgAaCAgAEgAaACAAGgAiAA==",
    expected: {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {
        creationTimestamp: null
      },
      spec: {
        resourceAttributes: {
          namespace: "kube-system",
          verb: "create",
          group: "apps",
          resource: "deployments",
          subresource: "scale"
        }
      },
      status: {
        allowed: false
      }
    }
  },
  {
    name: "can-i-list",
    command: "kubectl auth can-i --list",
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoxChdhdXRob3JpemF0aW9uLms4cy5pby92MRIWU2VsZlN1YmplY3RSdWxlc1JldmlldxIjChAKABIAGgAiACoAMgA4AEIAEgkKB2RlZmF1bHQaBBgAIgAaACIA",
    expected: {
      kind: "SelfSubjectRulesReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {
        creationTimestamp: null
      },
      spec: {
        namespace: "default"
      },
      status: {
        resourceRules: null,
        nonResourceRules: null,
        incomplete: false
      }
    }
  },
  {
    name: "token",
    command: "kubectl create token default --duration=1h --audience=a",
    method: "POST",
    path: "/api/v1/namespaces/default/serviceaccounts/default/token",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIgChAKABIAGgAiACoAMgA4AEIAEgYKAWEgkBwaBAoAEgAaACIA",
    expected: {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: {
        creationTimestamp: null
      },
      spec: {
        audiences: [
          "a"
        ],
        expirationSeconds: 3600,
        boundObjectRef: null
      },
      status: {
        token: "",
        expirationTimestamp: null
      }
    }
  },
  {
    name: "job",
    command: "kubectl create job j --image=busybox --dry-run=server -- echo hi",
    method: "POST",
    path: "/apis/batch/v1/namespaces/default/jobs",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoPCghiYXRjaC92MRIDSm9iEoIBChEKAWoSABoAIgAqADIAOABCABJjMmEKEAoAEgAaACIAKgAyADgAQgASTRIqCgFqEgdidXN5Ym94GgRlY2hvGgJoaSoAQgBqAHIAgAEAiAEAkAEAogEAGgVOZXZlcjIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgggACgAMAA6ABoAIgA=",
    expected: {
      kind: "Job",
      apiVersion: "batch/v1",
      metadata: {
        name: "j",
        creationTimestamp: null
      },
      spec: {
        template: {
          metadata: {
            creationTimestamp: null
          },
          spec: {
            containers: [
              {
                name: "j",
                image: "busybox",
                command: [
                  "echo",
                  "hi"
                ],
                resources: {}
              }
            ],
            restartPolicy: "Never"
          }
        }
      },
      status: {}
    }
  },
  {
    name: "cronjob",
    command: "kubectl create cronjob cj2 --image=busybox --schedule='*/5 * * * *' --dry-run=server -- date",
    method: "POST",
    path: "/apis/batch/v1/namespaces/default/cronjobs",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKnAQoTCgNjajISABoAIgAqADIAOABCABKNAQoLKi81ICogKiAqICoaACp8ChMKA2NqMhIAGgAiACoAMgA4AEIAEmUyYwoQCgASABoAIgAqADIAOABCABJPEigKA2NqMhIHYnVzeWJveBoEZGF0ZSoAQgBqAHIAgAEAiAEAkAEAogEAGglPbkZhaWx1cmUyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoAGgAiAA==",
    expected: {
      kind: "CronJob",
      apiVersion: "batch/v1",
      metadata: {
        name: "cj2",
        creationTimestamp: null
      },
      spec: {
        schedule: "*/5 * * * *",
        jobTemplate: {
          metadata: {
            name: "cj2",
            creationTimestamp: null
          },
          spec: {
            template: {
              metadata: {
                creationTimestamp: null
              },
              spec: {
                containers: [
                  {
                    name: "cj2",
                    image: "busybox",
                    command: [
                      "date"
                    ],
                    resources: {}
                  }
                ],
                restartPolicy: "OnFailure"
              }
            }
          }
        }
      },
      status: {}
    }
  },
  {
    name: "debug-copy",
    command: "kubectl debug rich --copy-to=rich-copy --image=busybox --container=debugger --keep-labels --keep-annotations --keep-liveness --keep-readiness --keep-startup --share-processes=false -- sleep 1",
    method: "POST",
    path: "/api/v1/namespaces/default/pods",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoJCgJ2MRIDUG9kEooNCi8KCXJpY2gtY29weRIAGgdkZWZhdWx0IgAqADIAOABCAGINCgRub3RlEgVoZWxsbxLEDAocCgdzY3JhdGNoEhESDwoGTWVtb3J5EgUKAzFHaQohCgNjZmcSGpoBFwoDCgFjEg0KAWESBWEudHh0GKQDGKQCChEKA3NlYxIKMggKAXMYgAIgAQofCgRob3N0EhcKFQoIL3Zhci9sb2cSCURpcmVjdG9yeQoSCgRkYXRhEgpSCAoEcHZjMRABCk8KBHByb2oSR9IBRAoRIg8KA2FwaRCQHBoFdG9rZW4KBxoFCgMKAWMKIxIhCh8KBmxhYmVscxIVCgJ2MRIPbWV0YWRhdGEubGFiZWxzEKQDEogFCgRtYWluEgpuZ2lueDoxLjI3GgVuZ2lueCICLWciC2RhZW1vbiBvZmY7KgQvc3J2MhEKBGh0dHAQABhQIgNUQ1AqADIZCgAQkpUBGIJHIgNVRFAqCTEyNy4wLjAuMToKCgVQTEFJThIBdjoJCgVFTVBUWRIAOh8KBE5PREUSABoVChMKAnYxEg1zcGVjLm5vZGVOYW1lOhQKAkNNEgAaDBoKCgMKAWMSAWEYAToTCgNTRUMSABoKIggKAwoBcxIBcDonCgNNRU0SABoeEhwKBG1haW4SDWxpbWl0cy5tZW1vcnkaBQoDMU1pQkMKDQoDY3B1EgYKBDUwMG0KEQoGbWVtb3J5EgcKBTEyOE1pEg0KA2NwdRIGCgQyNTBtEhAKBm1lbW9yeRIGCgQ2NE1pShkKB3NjcmF0Y2gQABoIL3NjcmF0Y2giADIAShYKA2NmZxABGggvZXRjL2NmZyIBeDIAUjYKKhIoCggvaGVhbHRoehIKCAEQABoEaHR0cBoAIgRIVFRQKggKA1gtQRIBYhADGAEgCigBMANaGAoMGgoKBggAEFAaABIAEAAYASAFKAEwA2IXCg8KDQoEZWNobwoFc3RhcnQSBCICCAVqFC9kZXYvdGVybWluYXRpb24tbG9ncgxJZk5vdFByZXNlbnR6OQoXChBORVRfQklORF9TRVJWSUNFEgNBTEwQACDoBygBMAE4AEC4F1oQCg5SdW50aW1lRGVmYXVsdIABAYgBAJABAZoBCwoCQ18SBQoDCgFjmgELCgAaBwoDCgFzEACiARVGYWxsYmFja1RvTG9nc09uRXJyb3KyARwKEAoOCgNjYXQKBy90bXAvb2sQABgBIAooATAeElwKBHNpZGUSB2J1c3lib3gqAEIAWhkKDSILCKhGEgZoZWFsdGgQABgBIAooATADahQvZGV2L3Rlcm1pbmF0aW9uLWxvZ3IGQWx3YXlzgAEAiAEAkAEAogEERmlsZRI1CghkZWJ1Z2dlchIHYnVzeWJveBoFc2xlZXAaATEqAEIAagByAIABAIgBAJABAKIBBEZpbGUaBkFsd2F5cyAtKJAcMgxDbHVzdGVyRmlyc3Q6CwoEZGlzaxIDc3NkQgdkZWZhdWx0SgdkZWZhdWx0UgBYAGAAaAByJxgBIKAfIIgnKNAPOhoKEm5ldC5jb3JlLnNvbWF4Y29ubhIEMTAyNHoJCgdyZWdjcmVkggEEcmljaIoBA3N1YpIBXAorChQKEgoQCgR6b25lEgJJbhoBYRoBYhITCAoSDwoNCgNncHUSBkV4aXN0cxotEisIMhInCg0KCwoDYXBwEgRyaWNoGhZrdWJlcm5ldGVzLmlvL2hvc3RuYW1lmgERZGVmYXVsdC1zY2hlZHVsZXKiAU8KBGluaXQSB2J1c3lib3gaAnNoGgItYxoEdHJ1ZSoAQgBqFC9kZXYvdGVybWluYXRpb24tbG9ncgZBbHdheXOAAQCIAQCQAQCiAQRGaWxlqAEAsgEZCgFrEgVFcXVhbBoBdiIKTm9TY2hlZHVsZbIBNgocbm9kZS5rdWJlcm5ldGVzLmlvL25vdC1yZWFkeRIGRXhpc3RzGgAiCU5vRXhlY3V0ZSisAroBEwoIMTAuMC4wLjESB2EubG9jYWzCAQDIAQDSASAKBzEuMS4xLjESCXN2Yy5sb2NhbBoKCgVuZG90cxIBMtgBAOIBEwoRZXhhbXBsZS5jb20vcmVhZHnwAQH6ARRQcmVlbXB0TG93ZXJQcmlvcml0eYoCKwgBEgR6b25lGg5TY2hlZHVsZUFueXdheSIREg8KA2FwcBICSW4aBHJpY2iiAgcKBWxpbnV4GhAKABoAIgAqADIASgBaAHIAGgAiAA=="
  },
  {
    name: "debug-node",
    command: "kubectl debug node/n1 --image=busybox --profile=sysadmin -- sleep 1",
    method: "POST",
    path: "/api/v1/namespaces/default/pods",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoJCgJ2MRIDUG9kEtoBCiYKFm5vZGUtZGVidWdnZXItbjEtc2RzamISABoAIgAqADIAOABCABKdAQoSCglob3N0LXJvb3QSBQoDCgEvElMKCGRlYnVnZ2VyEgdidXN5Ym94GgVzbGVlcBoBMSoAQgBKGAoJaG9zdC1yb290EAAaBS9ob3N0IgAyAGoAcgB6AhABgAEAiAEAkAEAogEERmlsZRoFTmV2ZXIyAEIASgBSAm4xWAFgAWgBggEAigEAmgEAsgEOCgASBkV4aXN0cxoAIgDCAQAaEAoAGgAiACoAMgBKAFoAcgAaACIA",
    expected: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name: "node-debugger-n1-sdsjb",
        creationTimestamp: null
      },
      spec: {
        volumes: [
          {
            name: "host-root",
            hostPath: {
              path: "/"
            }
          }
        ],
        containers: [
          {
            name: "debugger",
            image: "busybox",
            command: [
              "sleep",
              "1"
            ],
            resources: {},
            volumeMounts: [
              {
                name: "host-root",
                mountPath: "/host"
              }
            ],
            terminationMessagePolicy: "File",
            securityContext: {
              privileged: true
            }
          }
        ],
        restartPolicy: "Never",
        nodeName: "n1",
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        tolerations: [
          {
            operator: "Exists"
          }
        ]
      },
      status: {}
    }
  },
  {
    name: "secret-from-file",
    command: "kubectl create secret generic big --from-file=cert.pem=tls.crt --dry-run=server",
    method: "POST",
    path: "/api/v1/namespaces/default/secrets",
    contentType: "application/vnd.kubernetes.protobuf",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0EukIChMKA2JpZxIAGgAiACoAMgA4AEIAEs8ICghjZXJ0LnBlbRLCCC0tLS0tQkVHSU4gQ0VSVElGSUNBVEUtLS0tLQpNSUlDK1RDQ0FlR2dBd0lCQWdJVVJGMkRmaFhUcGhVazJ3dDUvendveDNFeFR1MHdEUVlKS29aSWh2Y05BUUVMCkJRQXdEREVLTUFnR0ExVUVBd3dCZURBZUZ3MHlOakV4TWpZeE9EVXhNVE5hRncweU5qRXhNamN4T0RVeE1UTmEKTUF3eENqQUlCZ05WQkFNTUFYZ3dnZ0VpTUEwR0NTcUdTSWIzRFFFQkFRVUFBNElCRHdBd2dnRUtBb0lCQVFEYwpuVll4RGlraEpEaW5IVEg2bWlhZUdCS3JlbGZ6a1RLY0lJTURvT0I3ZlRkR0xMbExLZFljcm9zMUxxQU4zdDcvClFITWJhK2NiYlJhRTRtZTVSZ1dIcnFqSW53TzRidmdTTDJScDBtM0RQVHc3OXJ4UTlJbDh5T3B4SWN4ZXNyRFMKMVFkMForTVAzeGo4RHVtMEJ5UjZHTis4TjJZOWduNmdjemNoVURLdEJ0K0tNOWd5VzVjWjZmVEl4WHBaL2kzagpWV3JSenhHdnlZdmtuUHZkeTlyOHpkM2tLeWRzdUlTZmk2QTJIc2pUOG9rQkp5L2RUNGkwSDErN0J6bHhoY0RSCjNlKzlTY1h1cUc3dHk5T3NYaEFOSzVOcitvRHl0Q3JiQUtndlRYQ0ZZTTRnNTBIYU1KLzVTU3pLa3MvRm12a3MKNm9xcXZFdjAvMHk1SllJWDN1c1RBZ01CQUFHalV6QlJNQjBHQTFVZERnUVdCQlJLS2Q4TDlUeWFrV2Eza3lIeApPUFRnY2lqQkJqQWZCZ05WSFNNRUdEQVdnQlJLS2Q4TDlUeWFrV2Eza3lIeE9QVGdjaWpCQmpBUEJnTlZIUk1CCkFmOEVCVEFEQVFIL01BMEdDU3FHU0liM0RRRUJDd1VBQTRJQkFRQzJFcks3Q0NOVFoyVWlhWEhYUGRRQ3NZdjUKVkxoSkg5bngyY2ZMaUJsL2dvTHk1M1g3TzYzUFFyVklRVzJJempqQmw0Nm1UV3c5cXphemlJUDZvT3RXQ3dBWgo0bFNFQzlJQ3YyS3hMSUdFMmo2Rm9sVEU3Q0V0dFhIb053SnFHWU12WmEwTWxGS01lVU9oTktQMmQwUS9QeTI2CnM5aHBVT296aFQ2N3ptTjVyWDlpeWZ3MEdiRk9vVVZ4MTdIdXQraGc1RmJldmZkNUNMYmlhRVpIS3BJbVUvVGUKUzdNMlBhcVpaRGxpTDlEN2ErYVFYN1RLdzFvN2k1Q0tCNzlMbnZNNDRqRmhpUHVlZmJENFZTdDgxTVZpNktJeAppZUQ1V0VQak0zcWNWREZhdHJqc2x1M2lxUDR2RTNIaENOM0JtaVBmOVVqRGo0WDVuM1oycWkyUUkvWGwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQoaABoAIgA=",
    expected: {
      kind: "Secret",
      apiVersion: "v1",
      metadata: {
        name: "big",
        creationTimestamp: null
      },
      data: {
        "cert.pem": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMrVENDQWVHZ0F3SUJBZ0lVUkYyRGZoWFRwaFVrMnd0NS96d294M0V4VHUwd0RRWUpLb1pJaHZjTkFRRUwKQlFBd0RERUtNQWdHQTFVRUF3d0JlREFlRncweU5qRXhNall4T0RVeE1UTmFGdzB5TmpFeE1qY3hPRFV4TVROYQpNQXd4Q2pBSUJnTlZCQU1NQVhnd2dnRWlNQTBHQ1NxR1NJYjNEUUVCQVFVQUE0SUJEd0F3Z2dFS0FvSUJBUURjCm5WWXhEaWtoSkRpbkhUSDZtaWFlR0JLcmVsZnprVEtjSUlNRG9PQjdmVGRHTExsTEtkWWNyb3MxTHFBTjN0Ny8KUUhNYmErY2JiUmFFNG1lNVJnV0hycWpJbndPNGJ2Z1NMMlJwMG0zRFBUdzc5cnhROUlsOHlPcHhJY3hlc3JEUwoxUWQwWitNUDN4ajhEdW0wQnlSNkdOKzhOMlk5Z242Z2N6Y2hVREt0QnQrS005Z3lXNWNaNmZUSXhYcFovaTNqClZXclJ6eEd2eVl2a25QdmR5OXI4emQza0t5ZHN1SVNmaTZBMkhzalQ4b2tCSnkvZFQ0aTBIMSs3QnpseGhjRFIKM2UrOVNjWHVxRzd0eTlPc1hoQU5LNU5yK29EeXRDcmJBS2d2VFhDRllNNGc1MEhhTUovNVNTektrcy9GbXZrcwo2b3FxdkV2MC8weTVKWUlYM3VzVEFnTUJBQUdqVXpCUk1CMEdBMVVkRGdRV0JCUktLZDhMOVR5YWtXYTNreUh4Ck9QVGdjaWpCQmpBZkJnTlZIU01FR0RBV2dCUktLZDhMOVR5YWtXYTNreUh4T1BUZ2NpakJCakFQQmdOVkhSTUIKQWY4RUJUQURBUUgvTUEwR0NTcUdTSWIzRFFFQkN3VUFBNElCQVFDMkVySzdDQ05UWjJVaWFYSFhQZFFDc1l2NQpWTGhKSDlueDJjZkxpQmwvZ29MeTUzWDdPNjNQUXJWSVFXMkl6ampCbDQ2bVRXdzlxemF6aUlQNm9PdFdDd0FaCjRsU0VDOUlDdjJLeExJR0UyajZGb2xURTdDRXR0WEhvTndKcUdZTXZaYTBNbEZLTWVVT2hOS1AyZDBRL1B5MjYKczlocFVPb3poVDY3em1ONXJYOWl5ZncwR2JGT29VVngxN0h1dCtoZzVGYmV2ZmQ1Q0xiaWFFWkhLcEltVS9UZQpTN00yUGFxWlpEbGlMOUQ3YSthUVg3VEt3MW83aTVDS0I3OUxudk00NGpGaGlQdWVmYkQ0VlN0ODFNVmk2S0l4CmllRDVXRVBqTTNxY1ZERmF0cmpzbHUzaXFQNHZFM0hoQ04zQm1pUGY5VWpEajRYNW4zWjJxaTJRSS9YbAotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
      }
    }
  }
];

/**
 * The pod that `debug-copy` copied, as `kubectl get pod rich -o json` showed it (metadata.annotations and spec).
 * The copy differs in what `kubectl debug --copy-to` changes, and in the zero values of Go omitempty
 * fields that the JSON form prints and the protobuf form cannot tell from unset.
 */
export const DEBUG_COPY_SOURCE_POD = {
  metadata: {
    annotations: {
      note: "hello"
    }
  },
  spec: {
    activeDeadlineSeconds: 3600,
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            preference: {
              matchExpressions: [
                {
                  key: "gpu",
                  operator: "Exists"
                }
              ]
            },
            weight: 10
          }
        ],
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                {
                  key: "zone",
                  operator: "In",
                  values: [
                    "a",
                    "b"
                  ]
                }
              ]
            }
          ]
        }
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            podAffinityTerm: {
              labelSelector: {
                matchLabels: {
                  app: "rich"
                }
              },
              topologyKey: "kubernetes.io/hostname"
            },
            weight: 50
          }
        ]
      }
    },
    automountServiceAccountToken: false,
    containers: [
      {
        args: [
          "-g",
          "daemon off;"
        ],
        command: [
          "nginx"
        ],
        env: [
          {
            name: "PLAIN",
            value: "v"
          },
          {
            name: "EMPTY",
            value: ""
          },
          {
            name: "NODE",
            valueFrom: {
              fieldRef: {
                apiVersion: "v1",
                fieldPath: "spec.nodeName"
              }
            }
          },
          {
            name: "CM",
            valueFrom: {
              configMapKeyRef: {
                key: "a",
                name: "c",
                optional: true
              }
            }
          },
          {
            name: "SEC",
            valueFrom: {
              secretKeyRef: {
                key: "p",
                name: "s"
              }
            }
          },
          {
            name: "MEM",
            valueFrom: {
              resourceFieldRef: {
                containerName: "main",
                divisor: "1Mi",
                resource: "limits.memory"
              }
            }
          }
        ],
        envFrom: [
          {
            configMapRef: {
              name: "c"
            },
            prefix: "C_"
          },
          {
            secretRef: {
              name: "s",
              optional: false
            }
          }
        ],
        image: "nginx:1.27",
        imagePullPolicy: "IfNotPresent",
        lifecycle: {
          postStart: {
            exec: {
              command: [
                "echo",
                "start"
              ]
            }
          },
          preStop: {
            sleep: {
              seconds: 5
            }
          }
        },
        livenessProbe: {
          failureThreshold: 3,
          httpGet: {
            httpHeaders: [
              {
                name: "X-A",
                value: "b"
              }
            ],
            path: "/healthz",
            port: "http",
            scheme: "HTTP"
          },
          initialDelaySeconds: 3,
          periodSeconds: 10,
          successThreshold: 1,
          timeoutSeconds: 1
        },
        name: "main",
        ports: [
          {
            containerPort: 80,
            name: "http",
            protocol: "TCP"
          },
          {
            containerPort: 9090,
            hostIP: "127.0.0.1",
            hostPort: 19090,
            protocol: "UDP"
          }
        ],
        readinessProbe: {
          failureThreshold: 3,
          periodSeconds: 5,
          successThreshold: 1,
          tcpSocket: {
            port: 80
          },
          timeoutSeconds: 1
        },
        resources: {
          limits: {
            cpu: "500m",
            memory: "128Mi"
          },
          requests: {
            cpu: "250m",
            memory: "64Mi"
          }
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: {
            add: [
              "NET_BIND_SERVICE"
            ],
            drop: [
              "ALL"
            ]
          },
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsGroup: 3000,
          runAsNonRoot: true,
          runAsUser: 1000,
          seccompProfile: {
            type: "RuntimeDefault"
          }
        },
        startupProbe: {
          exec: {
            command: [
              "cat",
              "/tmp/ok"
            ]
          },
          failureThreshold: 30,
          periodSeconds: 10,
          successThreshold: 1,
          timeoutSeconds: 1
        },
        stdin: true,
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "FallbackToLogsOnError",
        tty: true,
        volumeMounts: [
          {
            mountPath: "/scratch",
            name: "scratch"
          },
          {
            mountPath: "/etc/cfg",
            name: "cfg",
            readOnly: true,
            subPath: "x"
          }
        ],
        workingDir: "/srv"
      },
      {
        image: "busybox",
        imagePullPolicy: "Always",
        name: "side",
        readinessProbe: {
          failureThreshold: 3,
          grpc: {
            port: 9000,
            service: "health"
          },
          periodSeconds: 10,
          successThreshold: 1,
          timeoutSeconds: 1
        },
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File"
      }
    ],
    dnsConfig: {
      nameservers: [
        "1.1.1.1"
      ],
      options: [
        {
          name: "ndots",
          value: "2"
        }
      ],
      searches: [
        "svc.local"
      ]
    },
    dnsPolicy: "ClusterFirst",
    enableServiceLinks: true,
    hostAliases: [
      {
        hostnames: [
          "a.local"
        ],
        ip: "10.0.0.1"
      }
    ],
    hostNetwork: false,
    hostname: "rich",
    imagePullSecrets: [
      {
        name: "regcred"
      }
    ],
    initContainers: [
      {
        command: [
          "sh",
          "-c",
          "true"
        ],
        image: "busybox",
        imagePullPolicy: "Always",
        name: "init",
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File"
      }
    ],
    nodeSelector: {
      disk: "ssd"
    },
    os: {
      name: "linux"
    },
    preemptionPolicy: "PreemptLowerPriority",
    priority: 0,
    readinessGates: [
      {
        conditionType: "example.com/ready"
      }
    ],
    restartPolicy: "Always",
    schedulerName: "default-scheduler",
    securityContext: {
      fsGroup: 2000,
      runAsNonRoot: true,
      supplementalGroups: [
        4000,
        5000
      ],
      sysctls: [
        {
          name: "net.core.somaxconn",
          value: "1024"
        }
      ]
    },
    serviceAccount: "default",
    serviceAccountName: "default",
    subdomain: "sub",
    terminationGracePeriodSeconds: 45,
    tolerations: [
      {
        effect: "NoSchedule",
        key: "k",
        operator: "Equal",
        value: "v"
      },
      {
        effect: "NoExecute",
        key: "node.kubernetes.io/not-ready",
        operator: "Exists",
        tolerationSeconds: 300
      }
    ],
    topologySpreadConstraints: [
      {
        labelSelector: {
          matchExpressions: [
            {
              key: "app",
              operator: "In",
              values: [
                "rich"
              ]
            }
          ]
        },
        maxSkew: 1,
        topologyKey: "zone",
        whenUnsatisfiable: "ScheduleAnyway"
      }
    ],
    volumes: [
      {
        emptyDir: {
          medium: "Memory",
          sizeLimit: "1Gi"
        },
        name: "scratch"
      },
      {
        configMap: {
          defaultMode: 292,
          items: [
            {
              key: "a",
              mode: 420,
              path: "a.txt"
            }
          ],
          name: "c"
        },
        name: "cfg"
      },
      {
        name: "sec",
        secret: {
          defaultMode: 256,
          optional: true,
          secretName: "s"
        }
      },
      {
        hostPath: {
          path: "/var/log",
          type: "Directory"
        },
        name: "host"
      },
      {
        name: "data",
        persistentVolumeClaim: {
          claimName: "pvc1",
          readOnly: true
        }
      },
      {
        name: "proj",
        projected: {
          defaultMode: 420,
          sources: [
            {
              serviceAccountToken: {
                audience: "api",
                expirationSeconds: 3600,
                path: "token"
              }
            },
            {
              configMap: {
                name: "c"
              }
            },
            {
              downwardAPI: {
                items: [
                  {
                    fieldRef: {
                      apiVersion: "v1",
                      fieldPath: "metadata.labels"
                    },
                    path: "labels"
                  }
                ]
              }
            }
          ]
        }
      }
    ]
  }
};
